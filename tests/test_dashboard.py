"""The live seat dashboard in headless Chromium: a bar changes without a reload."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import TenantFixture

BROWSER = os.environ.get("SEATGRAPH_TEST_BROWSER", "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not Path(BROWSER).exists(),
    reason=f"no Chromium at {BROWSER} (apt-get install chromium; .ci/run installs it)",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_bars_follow_assignments_live(tenant: TenantFixture, tmp_path: Path) -> None:
    if tenant.server.backend != "sqlite":
        pytest.skip("one back-end is enough for the browser")
    from playwright.sync_api import sync_playwright

    tenant.set_capacity("bi_psa", 3)
    url = tenant.server.url.replace("/graphql", "/dashboard/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=FLAGS)
        page = browser.new_page()
        try:
            page.goto(url)
            page.fill("#token", str(tenant.admin.token))
            page.click("button[type=submit]")
            bar = page.locator('.pool[data-product="bi_psa"] .numbers')
            bar.wait_for(timeout=10_000)
            assert bar.inner_text() == "0 / 3 assigned, 3 available"
            page.wait_for_function(
                "document.getElementById('status').textContent.startsWith('Live')", timeout=10_000
            )

            tenant.assign(tenant.member_id, "bi_psa")  # through the API, not the page

            page.wait_for_function(
                """document.querySelector('.pool[data-product="bi_psa"] .numbers').textContent
                   === '1 / 3 assigned, 2 available'""",
                timeout=10_000,
            )
            width = page.eval_on_selector(
                '.pool[data-product="bi_psa"] .fill', "e => e.style.width"
            )
            assert width.startswith("33.3")
            tenant.set_capacity("bi_psa", 5)
            page.wait_for_function(
                "document.getElementById('notices').textContent.includes('2 BI Packages - PSA seats added')",
                timeout=10_000,
            )
        except Exception:
            shot = tmp_path / "dashboard-failure.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            raise
        finally:
            browser.close()
