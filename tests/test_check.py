"""`seatgraph check` finds no violation in a consistent database and names each one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support import cli, new_tenant, running_server


def test_check_passes_then_reports_each_broken_invariant(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'check.db'}"
    with running_server("sqlite", url, tmp_path / "server.log") as server:
        tenant = new_tenant(server)
        tenant.set_capacity("bi_psa", 3)
        tenant.set_capacity("scheduled_meeting", 1)
        tenant.set_capacity("phone_system", 2)
        tenant.set_capacity("call_recording", 2)
        tenant.assign(tenant.member_id, "bi_psa")
        tenant.assign(tenant.admin_id, "scheduled_meeting")
        base = tenant.assign(tenant.admin_id, "phone_system")["license"]["id"]
        tenant.admin.ok(
            "attachAddon", {"baseLicenseId": base, "product": "call_recording"}, "addon { id }"
        )
        tenant.admin.ok(
            "createBookingPage", {"ownerId": tenant.admin_id, "title": "Mine"}, "bookingPage { id }"
        )
        tenant.admin.ok(
            "createBookingPage",
            {"ownerId": tenant.member_id, "title": "Off", "enabled": False},
            "bookingPage { id }",
        )
        tenant.assign(tenant.admin_id, "bi_psa")
        tenant.assign(tenant.add_user("x@acme.example"), "bi_psa")
        tenant.set_capacity("bi_psa", 1)  # over-allocated, flagged by its event
        env = server.env()
        ok = cli("check", env=env)
        assert ok.stdout == "" and "all invariants hold" in ok.stderr

    path = url.removeprefix("sqlite://")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE seat_pool SET assigned = assigned + 1 WHERE product_id = (SELECT id FROM product WHERE code = 'call_recording')"
        )
        db.execute("UPDATE booking_page SET enabled = 1 WHERE slug = 'off'")
        db.execute("DELETE FROM seat_event WHERE sequence = 2")
        db.execute(
            "UPDATE license SET base_id = NULL WHERE product_id = (SELECT id FROM product WHERE code = 'call_recording') AND state = 'ASSIGNED'"
        )
    broken = cli("check", env=env, check=False)
    assert broken.returncode == 1
    lines = broken.stdout.splitlines()
    assert any(
        "pool call_recording: assigned counter 2 but 1 assigned licences" in x for x in lines
    )
    assert any("(off): enabled, owner" in x and "unlicensed" in x for x in lines)
    assert any("event sequence not gap-free" in x for x in lines)
    assert any("an assigned add-on on no base licence" in x for x in lines)
    assert len(lines) == 4 and "4 violation(s)" in broken.stderr
