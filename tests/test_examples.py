"""The client examples in examples/ run against a live server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.support import ROOT, TenantFixture


def _tenant_with_events(tenant: TenantFixture) -> str:
    tenant.set_capacity("bi_psa", 5)  # event 1
    tenant.set_capacity("bi_psa", 6)  # event 2
    first: str = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { events(first: 1) { edges { cursor } } } }",
        {"t": tenant.id},
    )["tenant"]["events"]["edges"][0]["cursor"]
    return first


def test_python_gql_example(tenant: TenantFixture) -> None:
    if tenant.server.backend != "sqlite":
        pytest.skip("one back-end is enough for the examples")
    _tenant_with_events(tenant)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples/python/seat_client.py"), tenant.member_id, "bi_psa"],
        env={
            **os.environ,
            "SEATGRAPH_URL": tenant.server.url,
            "SEATGRAPH_TOKEN": str(tenant.admin.token),
            "RESUME_COUNT": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "pool bi_psa: 0/6 assigned" in lines and "assign: ok" in lines
    # after event 1: event 2, a "dropped" connection, then a resume that continues at 3
    assert lines[-2].startswith("event 2 SEATS_ADJUSTED: 1 BI Packages - PSA seat added")
    assert lines[-1].startswith("resumed 3 LICENSE_ASSIGNED: BI Packages - PSA licence assigned to")


@pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="Node.js and npm are not installed",
)
def test_javascript_graphql_ws_example(tenant: TenantFixture) -> None:
    if tenant.server.backend != "sqlite":
        pytest.skip("one back-end is enough for the examples")
    first = _tenant_with_events(tenant)
    tenant.assign(tenant.member_id, "bi_psa")  # event 3
    folder = ROOT / "examples/js"
    if not (folder / "node_modules/graphql-ws").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=folder,
            check=True,
            timeout=300,
        )
    result = subprocess.run(
        ["node", "notices.mjs"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "SEATGRAPH_URL": tenant.server.ws_url,
            "SEATGRAPH_TOKEN": str(tenant.admin.token),
            "TENANT_ID": tenant.id,
            "AFTER": first,
            "COUNT": "2",
        },
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("notice 2 SEATS_ADJUSTED: 1 BI Packages - PSA seat added")
    assert lines[1].startswith("notice 3 LICENSE_ASSIGNED: ")
    assert len(lines) == 2
