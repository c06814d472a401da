"""Scheduled work: seasonal assignments end on time, once, and after downtime too."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from tests.support import new_tenant, running_server


def soon(seconds: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()


def test_expiries_missed_while_the_server_was_down_are_caught_up(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'sched.db'}"
    with running_server("sqlite", url, tmp_path / "a.log") as server:
        tenant = new_tenant(server)
        tenant.set_capacity("bi_psa", 5)
        users = [tenant.add_user(f"s{i}@acme.example") for i in range(3)]
        for user in users:
            assert tenant.assign(user, "bi_psa", expiresAt=soon(3))["userErrors"] == []
        tenant_id, operator_token = tenant.id, tenant.operator.token
    time.sleep(4)  # the licences expire while no server runs
    with running_server("sqlite", url, tmp_path / "b.log", migrate=False) as server:
        api = server.api(operator_token)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            pool = api.query(
                'query($t: ID!) { tenant(id: $t) { seatPool(product: "bi_psa") { assigned } } }',
                {"t": tenant_id},
            )["tenant"]["seatPool"]
            if pool["assigned"] == 0:
                break
            time.sleep(0.2)
        assert pool["assigned"] == 0
        events = api.query(
            "query($t: ID!) { tenant(id: $t) { events(kinds: [LICENSE_UNASSIGNED]) { nodes { source } } } }",
            {"t": tenant_id},
        )["tenant"]["events"]["nodes"]
        assert events == [{"source": "SCHEDULE"}] * 3
