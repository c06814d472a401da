"""Phone-system licences: extensions, numbers, termination, CSV mass configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import Server, TenantFixture, cli, codes, new_tenant

SAMPLE = b"""Ext Key,Number,User,Addon license 1,Addon license 2,Addon license 3,Addon license 4
101,6567891230,john@example.com,device_ip_phone,device_mobile_app,license_dnc_checking_enabled,call_recording
102,6567891231,Alice,device_ip_phone,device_mobile_app,license_dnc_checking_enabled,call_recording
104,6567891232,lucie@example.com,device_ip_phone,device_desktop_app,call_recording
"""
MASS = """mutation($input: MassConfigureInput!) { massConfigure(input: $input) {
  result { applied created updated unchanged rows { line extension number outcome addons user { email } } }
  userErrors { field message code line column } } }"""
ADDONS = [
    "device_ip_phone",
    "device_mobile_app",
    "license_dnc_checking_enabled",
    "call_recording",
    "device_desktop_app",
]


@pytest.fixture
def phones(tenant: TenantFixture) -> TenantFixture:
    tenant.add_user("john@example.com")
    tenant.operator.ok(
        "createUser",
        {"tenantId": tenant.id, "email": "alice@example.com", "name": "Alice"},
        "user { id }",
    )
    tenant.add_user("lucie@example.com")
    tenant.set_capacity("phone_system", 5)
    for code in ADDONS:
        tenant.set_capacity(code, 5)
    return tenant


def upload(tenant: TenantFixture, content: bytes, dry_run: bool = False) -> dict[str, Any]:
    body = tenant.admin.upload(
        MASS,
        {"input": {"tenantId": tenant.id, "file": None, "dryRun": dry_run}},
        "input.file",
        content,
    )
    assert "errors" not in body, body
    return dict(body["data"]["massConfigure"])


def configuration(tenant: TenantFixture) -> list[tuple[str, str, str, list[str]]]:
    data = tenant.admin.query(
        'query($t: ID!) { tenant(id: $t) { licenses(first: 100, filter: {product: "phone_system", state: ASSIGNED}) '
        "{ nodes { extension number assignee { email } addons { product { code } } } } } }",
        {"t": tenant.id},
    )
    return sorted(
        (
            n["extension"],
            n["number"],
            n["assignee"]["email"],
            sorted(a["product"]["code"] for a in n["addons"]),
        )
        for n in data["tenant"]["licenses"]["nodes"]
    )


def test_configure_extension_and_number(phones: TenantFixture) -> None:
    t = phones
    a = t.assign(t.member_id, "phone_system")["license"]["id"]
    b = t.assign(t.admin_id, "phone_system")["license"]["id"]
    sel = "license { extension number }"
    ok = t.admin.ok(
        "configurePhoneLicense",
        {"licenseId": a, "extension": "201", "number": "+44 20 7946-0958"},
        sel,
    )
    assert ok["license"] == {"extension": "201", "number": "+442079460958"}
    assert codes(
        t.admin.mutate("configurePhoneLicense", {"licenseId": b, "extension": "201"}, sel)
    ) == ["DUPLICATE"]
    assert codes(
        t.admin.mutate("configurePhoneLicense", {"licenseId": b, "number": "+442079460958"}, sel)
    ) == ["DUPLICATE"]
    assert codes(
        t.admin.mutate("configurePhoneLicense", {"licenseId": b, "number": "12ab"}, sel)
    ) == ["INVALID_INPUT"]
    assert codes(
        t.admin.mutate("configurePhoneLicense", {"licenseId": b, "extension": "x1"}, sel)
    ) == ["INVALID_INPUT"]
    t.set_capacity("bi_psa", 1)
    bi = t.assign(t.member_id, "bi_psa")["license"]["id"]
    assert codes(
        t.admin.mutate("configurePhoneLicense", {"licenseId": bi, "extension": "300"}, sel)
    ) == ["INVALID_INPUT"]
    found = t.admin.query(
        'query($t: ID!) { tenant(id: $t) { licenses(filter: {extension: "201"}) { nodes { id } } } }',
        {"t": t.id},
    )
    assert found["tenant"]["licenses"]["nodes"] == [{"id": a}]
    cleared = t.admin.ok("configurePhoneLicense", {"licenseId": a, "extension": ""}, sel)
    assert cleared["license"] == {"extension": None, "number": "+442079460958"}


def test_terminate_by_uuid(phones: TenantFixture) -> None:
    t = phones
    free = t.admin.query(
        'query($t: ID!) { tenant(id: $t) { licenses(first: 1, filter: {product: "phone_system", state: AVAILABLE}) { nodes { id uuid } } } }',
        {"t": t.id},
    )["tenant"]["licenses"]["nodes"][0]
    done = t.admin.ok(
        "terminateLicense",
        {"uuid": free["uuid"]},
        "license { state } seatPool { capacity assigned }",
    )
    assert done["license"] == {"state": "TERMINATED"} and done["seatPool"] == {
        "capacity": 4,
        "assigned": 0,
    }
    event = t.events(["LICENSE_TERMINATED"])[-1]
    assert event["delta"] == -1 and event["pool"]["capacity"] == 4
    assert codes(
        t.admin.mutate(
            "assignLicense", {"userId": t.member_id, "licenseId": free["id"]}, "license { id }"
        )
    ) == ["LICENSE_TERMINATED"]
    assert codes(t.admin.mutate("terminateLicense", {"uuid": free["uuid"]}, "license { id }")) == [
        "LICENSE_TERMINATED"
    ]
    assert codes(
        t.admin.mutate(
            "terminateLicense", {"uuid": "00000000-0000-0000-0000-000000000000"}, "license { id }"
        )
    ) == ["NOT_FOUND"]


def test_terminating_an_assigned_licence_needs_force_and_releases_add_ons(
    phones: TenantFixture,
) -> None:
    t = phones
    lic = t.assign(t.member_id, "phone_system")["license"]
    t.admin.ok(
        "attachAddon", {"baseLicenseId": lic["id"], "product": "call_recording"}, "addon { id }"
    )
    before = t.events()
    refused = t.admin.mutate("terminateLicense", {"uuid": lic["uuid"]}, "license { state }")
    assert codes(refused) == ["LICENSE_IN_USE"] and t.events() == before
    forced = t.admin.ok(
        "terminateLicense",
        {"uuid": lic["uuid"], "force": True},
        "license { state addons { id } } seatPool { capacity assigned }",
    )
    assert forced["license"] == {"state": "TERMINATED", "addons": []}
    assert forced["seatPool"] == {"capacity": 4, "assigned": 0}
    assert t.pool("call_recording")["assigned"] == 0  # type: ignore[index]
    kinds = [e["kind"] for e in t.events()[len(before) :]]
    assert kinds == ["LICENSE_UNASSIGNED", "ADDON_DETACHED", "LICENSE_TERMINATED"]


def test_force_terminating_a_scheduling_licence_disables_booking_pages(
    tenant: TenantFixture,
) -> None:
    tenant.set_capacity("scheduled_meeting", 2)
    lic = tenant.assign(tenant.member_id, "scheduled_meeting")["license"]
    tenant.admin.ok(
        "createBookingPage", {"ownerId": tenant.member_id, "title": "Calls"}, "bookingPage { id }"
    )
    tenant.admin.ok("terminateLicense", {"uuid": lic["uuid"], "force": True}, "license { id }")
    pages = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { bookingPages { nodes { enabled disabledReason } } } }",
        {"t": tenant.id},
    )
    assert pages["tenant"]["bookingPages"]["nodes"] == [
        {"enabled": False, "disabledReason": "OWNER_UNLICENSED"}
    ]


def test_other_tenants_cannot_terminate(server: Server, phones: TenantFixture) -> None:
    lic = phones.assign(phones.member_id, "phone_system")["license"]
    other = new_tenant(server, "Other")
    assert codes(
        other.admin.mutate(
            "terminateLicense", {"uuid": lic["uuid"], "force": True}, "license { id }"
        )
    ) == ["NOT_FOUND"]
    assert phones.pool("phone_system")["capacity"] == 5  # type: ignore[index]


def test_the_sample_file_imports_and_round_trips(phones: TenantFixture) -> None:
    t = phones
    payload = upload(t, SAMPLE)
    assert payload["userErrors"] == []
    result = payload["result"]
    assert (result["applied"], result["created"], result["updated"], result["unchanged"]) == (
        True,
        3,
        0,
        0,
    )
    assert [r["user"]["email"] for r in result["rows"]] == [
        "john@example.com",
        "alice@example.com",
        "lucie@example.com",
    ]
    assert configuration(t) == [
        ("101", "6567891230", "john@example.com", sorted(ADDONS[:4])),
        ("102", "6567891231", "alice@example.com", sorted(ADDONS[:4])),
        (
            "104",
            "6567891232",
            "lucie@example.com",
            sorted(["device_ip_phone", "device_desktop_app", "call_recording"]),
        ),
    ]
    events = t.events()
    assert events[-1]["kind"] == "CONFIGURATION_IMPORTED" and events[-1]["source"] == "IMPORT"
    assert (
        events[-1]["message"]
        == "Phone configuration imported: 3 rows (3 created, 0 updated, 0 unchanged)."
    )
    assert {e["source"] for e in events if e["kind"] in ("LICENSE_ASSIGNED", "ADDON_ATTACHED")} == {
        "IMPORT"
    }

    exported = httpx.get(
        t.server.url.replace("/graphql", f"/tenants/{t.id}/phone-configuration.csv"),
        headers=t.admin.headers(),
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    again = upload(t, exported.content)
    assert (
        again["result"]["created"],
        again["result"]["updated"],
        again["result"]["unchanged"],
    ) == (0, 0, 3)
    assert configuration(t)[0][0] == "101"

    # edit the export: move an extension and number, drop add-ons, add another
    edited = exported.text.replace(
        "101,6567891230,john@example.com", "109,6567891239,john@example.com"
    )
    lucie = "lucie@example.com,call_recording,device_desktop_app,device_ip_phone"
    assert lucie in edited
    edited = edited.replace(lucie, "lucie@example.com,device_ip_phone,team_chat")
    t.set_capacity("team_chat", 1)
    changed = upload(t, edited.encode())
    assert changed["userErrors"] == [], changed["userErrors"]
    assert (changed["result"]["updated"], changed["result"]["unchanged"]) == (2, 1)
    config = {row[2]: row for row in configuration(t)}
    assert config["john@example.com"][:2] == ("109", "6567891239")
    assert config["lucie@example.com"][3] == ["device_ip_phone", "team_chat"]
    assert t.pool("call_recording")["assigned"] == 2  # type: ignore[index]


def test_every_bad_row_is_reported_and_nothing_is_applied(phones: TenantFixture) -> None:
    t = phones
    t.operator.ok(
        "createUser",
        {"tenantId": t.id, "email": "alice2@example.com", "name": "Alice"},
        "user { id }",
    )
    holder = t.add_user("holder@example.com")
    held = t.assign(holder, "phone_system")["license"]["id"]
    t.admin.ok("configurePhoneLicense", {"licenseId": held, "extension": "500"}, "license { id }")
    t.set_capacity("bi_psa", 1)
    before = t.events()
    bad = b"""Ext Key,Number,User,Addon license 1,Addon license 2
101,6567891230,ghost@example.com,device_ip_phone
102,6567891231,Alice,device_ip_phone
103,6567891232,lucie@example.com,no_such_addon
104,6567891233,john@example.com,bi_psa
101,12x,holder@example.com
500,6567891235,member-x@example.com
"""
    payload = upload(t, bad)
    assert payload["result"] is None
    found = {(e["line"], e["column"], e["code"]) for e in payload["userErrors"]}
    assert (2, "User", "NOT_FOUND") in found
    assert (3, "User", "AMBIGUOUS_USER") in found
    assert (4, "Addon license 1", "NOT_FOUND") in found
    assert (5, "Addon license 1", "ADDON_NOT_COMPATIBLE") in found
    assert (6, "Ext Key", "DUPLICATE") in found
    assert (6, "Number", "INVALID_INPUT") in found
    assert (7, "User", "NOT_FOUND") in found
    assert all(e["message"].startswith(f"Line {e['line']}") for e in payload["userErrors"])
    assert t.events() == before
    assert configuration(t) == [(("500", None, "holder@example.com", []))]


def test_taken_extensions_and_missing_licences_are_reported(phones: TenantFixture) -> None:
    t = phones
    holder = t.add_user("holder@example.com")
    held = t.assign(holder, "phone_system")["license"]["id"]
    t.admin.ok("configurePhoneLicense", {"licenseId": held, "extension": "101"}, "license { id }")
    t.set_capacity("device_ip_phone", 1)
    payload = upload(t, SAMPLE)
    errors = {(e["line"], e["code"]) for e in payload["userErrors"]}
    assert (2, "DUPLICATE") in errors  # 101 is held by a licence the file does not touch
    missing = [e for e in payload["userErrors"] if e["code"] == "SEAT_LIMIT_REACHED"]
    assert (
        len(missing) == 1
        and "device_ip_phone" in missing[0]["message"]
        and "2 missing" in missing[0]["message"]
    )
    assert t.pool("phone_system")["assigned"] == 1  # type: ignore[index]


def test_dry_run_reports_and_changes_nothing(phones: TenantFixture) -> None:
    before = phones.events()
    payload = upload(phones, SAMPLE, dry_run=True)
    assert payload["result"]["applied"] is False and payload["result"]["created"] == 3
    assert phones.events() == before and configuration(phones) == []


def test_sample_route_and_cli(phones: TenantFixture, tmp_path: Path) -> None:
    sample = httpx.get(phones.server.url.replace("/graphql", "/phone/sample.csv"))
    assert sample.status_code == 200 and sample.text.startswith(
        "Ext Key,Number,User,Addon license 1"
    )
    assert cli("phone", "sample").stdout == sample.text
    unauth = httpx.get(
        phones.server.url.replace("/graphql", f"/tenants/{phones.id}/phone-configuration.csv")
    )
    assert unauth.status_code == 401
    member = httpx.get(
        phones.server.url.replace("/graphql", f"/tenants/{phones.id}/phone-configuration.csv"),
        headers=phones.member.headers(),
    )
    assert member.status_code == 403

    path = tmp_path / "config.csv"
    path.write_bytes(SAMPLE)
    env = phones.server.env()
    dry = cli("mass-configure", "--tenant", phones.id, str(path), "--dry-run", env=env)
    assert "would apply 3 rows: 3 created" in dry.stdout
    applied = cli("mass-configure", "--tenant", phones.id, str(path), env=env)
    assert "applied 3 rows: 3 created" in applied.stdout and "3/3 rows" in applied.stderr
    exported = cli("phone", "export", "--tenant", phones.id, env=env).stdout
    assert exported.splitlines()[1].startswith("101,6567891230,john@example.com")
    path.write_text("Ext Key,Number,User\n1,2,nobody@example.com\n")
    refused = cli("mass-configure", "--tenant", phones.id, str(path), env=env, check=False)
    assert refused.returncode == 1 and "line 2, User: NOT_FOUND" in refused.stderr
