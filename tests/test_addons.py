"""Add-on licences hang off an assigned, compatible base licence and take their own seats."""

from __future__ import annotations

from typing import Any

from tests.support import TenantFixture, codes

ATTACH = "addon { id uuid state product { code } base { id } } baseLicense { id addons { product { code } } }"


def phone(tenant: TenantFixture, user_id: str) -> dict[str, Any]:
    tenant.set_capacity("phone_system", 5)
    payload = tenant.assign(user_id, "phone_system")
    assert payload["userErrors"] == []
    return dict(payload["license"])


def attach(tenant: TenantFixture, base_id: str, product: str) -> dict[str, Any]:
    return tenant.admin.mutate(
        "attachAddon", {"baseLicenseId": base_id, "product": product}, ATTACH
    )


def test_attach_takes_a_seat_of_the_add_on_pool(tenant: TenantFixture) -> None:
    tenant.set_capacity("device_ip_phone", 2)
    base = phone(tenant, tenant.member_id)

    payload = attach(tenant, base["id"], "device_ip_phone")

    assert payload["userErrors"] == []
    assert payload["addon"]["state"] == "ASSIGNED"
    assert payload["addon"]["base"] == {"id": base["id"]}
    assert payload["baseLicense"]["addons"] == [{"product": {"code": "device_ip_phone"}}]
    assert tenant.pool("device_ip_phone")["assigned"] == 1  # type: ignore[index]
    assert tenant.events()[-1]["kind"] == "ADDON_ATTACHED"
    access = tenant.member.query('{ viewer { access(product: "device_ip_phone") { allowed } } }')
    assert access["viewer"]["access"]["allowed"] is True


def test_attach_refusals_change_nothing(tenant: TenantFixture) -> None:
    tenant.set_capacity("device_ip_phone", 1)
    tenant.set_capacity("bi_psa", 5)
    base = phone(tenant, tenant.member_id)
    bi = tenant.assign(tenant.member_id, "bi_psa")["license"]
    attach(tenant, base["id"], "device_ip_phone")
    available = tenant.admin.query(
        'query($t: ID!) { tenant(id: $t) { licenses(filter: {product: "phone_system", state: AVAILABLE}, first: 1) { nodes { id } } } }',
        {"t": tenant.id},
    )["tenant"]["licenses"]["nodes"][0]["id"]
    events = tenant.events()

    assert codes(attach(tenant, bi["id"], "device_ip_phone")) == ["ADDON_NOT_COMPATIBLE"]
    assert codes(attach(tenant, available, "device_ip_phone")) == ["BASE_LICENSE_REQUIRED"]
    assert codes(attach(tenant, base["id"], "device_ip_phone")) == ["DUPLICATE"]
    assert codes(attach(tenant, base["id"], "bi_rmm")) == ["INVALID_INPUT"]
    other = phone(tenant, tenant.admin_id)
    assert codes(attach(tenant, other["id"], "device_ip_phone")) == ["SEAT_LIMIT_REACHED"]
    addon_id = tenant.admin.query(
        "query($id: ID!) { node(id: $id) { ... on License { addons { id } } } }", {"id": base["id"]}
    )["node"]["addons"][0]["id"]
    assert codes(attach(tenant, addon_id, "device_mobile_app")) == ["BASE_LICENSE_REQUIRED"]

    assert tenant.pool("device_ip_phone")["assigned"] == 1  # type: ignore[index]
    # only the second phone licence was written; the refusals wrote nothing
    assert [e["kind"] for e in tenant.events()[len(events) :]] == ["LICENSE_ASSIGNED"]


def test_add_ons_travel_with_reassign_and_stay_on_unassign(tenant: TenantFixture) -> None:
    tenant.set_capacity("call_recording", 3)
    base = phone(tenant, tenant.member_id)
    addon = attach(tenant, base["id"], "call_recording")["addon"]

    tenant.admin.ok(
        "reassignLicense", {"licenseId": base["id"], "userId": tenant.admin_id}, "license { id }"
    )
    admin_access = tenant.admin.query(
        '{ viewer { access(product: "call_recording") { allowed } } }'
    )
    member_access = tenant.member.query(
        '{ viewer { access(product: "call_recording") { allowed } } }'
    )
    assert admin_access["viewer"]["access"]["allowed"] is True
    assert member_access["viewer"]["access"]["allowed"] is False

    tenant.admin.ok("unassignLicense", {"licenseId": base["id"]}, "license { id }")
    kept = tenant.admin.query(
        "query($id: ID!) { node(id: $id) { ... on License { state addons { uuid state } } } }",
        {"id": base["id"]},
    )["node"]
    assert kept == {"state": "AVAILABLE", "addons": [{"uuid": addon["uuid"], "state": "ASSIGNED"}]}
    assert tenant.pool("call_recording")["assigned"] == 1  # type: ignore[index]


def test_detach_frees_the_seat(tenant: TenantFixture) -> None:
    tenant.set_capacity("team_chat", 1)
    base = phone(tenant, tenant.member_id)
    addon = attach(tenant, base["id"], "team_chat")["addon"]

    payload = tenant.admin.mutate(
        "detachAddon", {"addonLicenseId": addon["id"]}, "baseLicense { id addons { id } }"
    )

    assert payload["userErrors"] == []
    assert payload["baseLicense"] == {"id": base["id"], "addons": []}
    assert tenant.pool("team_chat")["assigned"] == 0  # type: ignore[index]
    assert tenant.events()[-1]["kind"] == "ADDON_DETACHED"
    again = tenant.admin.mutate(
        "detachAddon", {"addonLicenseId": addon["id"]}, "baseLicense { id }"
    )
    assert codes(again) == ["NOT_ASSIGNED"]
