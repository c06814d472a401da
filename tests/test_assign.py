"""Assignment rules: seat limit, auto-increase, one licence per product, licensable users."""

from __future__ import annotations

import pytest

from tests.support import TenantFixture, codes


def licences_of(tenant: TenantFixture, user_id: str) -> list[str]:
    data = tenant.operator.query(
        "query($id: ID!) { node(id: $id) { ... on User { licenses { product { code } } } } }",
        {"id": user_id},
    )
    return [lic["product"]["code"] for lic in data["node"]["licenses"]]


def test_full_pool_refuses_with_seat_limit_reached_and_changes_nothing(
    tenant: TenantFixture,
) -> None:
    tenant.set_capacity("bi_rmm", 1)
    other = tenant.add_user("other@acme.example")
    assert tenant.assign(tenant.member_id, "bi_rmm")["userErrors"] == []
    events_before = tenant.events()

    payload = tenant.assign(other, "bi_rmm")

    assert codes(payload) == ["SEAT_LIMIT_REACHED"]
    assert payload["license"] is None
    assert tenant.pool("bi_rmm") == {
        "capacity": 1,
        "assigned": 1,
        "available": 0,
        "overAllocated": 0,
    }
    assert licences_of(tenant, other) == []
    assert tenant.events() == events_before


def test_no_pool_at_all_is_a_full_pool(tenant: TenantFixture) -> None:
    payload = tenant.assign(tenant.member_id, "developer")
    assert codes(payload) == ["SEAT_LIMIT_REACHED"]
    assert tenant.pool("developer") is None


def test_increase_capacity_without_terms_is_refused(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_rmm", 0)
    payload = tenant.assign(tenant.member_id, "bi_rmm", increaseCapacity=True)
    assert codes(payload) == ["TERMS_NOT_ACCEPTED"]
    assert payload["userErrors"][0]["field"] == ["input", "acceptTerms"]
    assert tenant.pool("bi_rmm") == {
        "capacity": 0,
        "assigned": 0,
        "available": 0,
        "overAllocated": 0,
    }


def test_increase_capacity_with_terms_buys_exactly_one_seat(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_rmm", 1)
    tenant.assign(tenant.admin_id, "bi_rmm")

    payload = tenant.assign(tenant.member_id, "bi_rmm", increaseCapacity=True, acceptTerms=True)

    assert payload["userErrors"] == []
    assert payload["seatPool"] == {"capacity": 2, "assigned": 2, "available": 0}
    adjusted = tenant.events(["SEATS_ADJUSTED"])[-1]
    assert adjusted["source"] == "AUTO_INCREASE"
    assert adjusted["delta"] == 1
    assert adjusted["actor"]["email"].startswith("admin-")
    kinds = [e["kind"] for e in tenant.events()][-2:]
    assert kinds == ["SEATS_ADJUSTED", "LICENSE_ASSIGNED"]


def test_increase_capacity_is_not_used_while_seats_are_free(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_rmm", 2)
    payload = tenant.assign(tenant.member_id, "bi_rmm", increaseCapacity=True, acceptTerms=True)
    assert payload["seatPool"] == {"capacity": 2, "assigned": 1, "available": 1}


def test_a_user_holds_one_licence_per_product(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 5)
    tenant.assign(tenant.member_id, "bi_psa")
    payload = tenant.assign(tenant.member_id, "bi_psa")
    assert codes(payload) == ["ALREADY_ASSIGNED"]
    assert tenant.pool("bi_psa")["assigned"] == 1  # type: ignore[index]


@pytest.mark.parametrize("status", ["INACTIVE", "ROOM", "RESOURCE", "ASSET", "QUEUE"])
def test_users_who_cannot_log_in_cannot_receive_a_licence(
    tenant: TenantFixture, status: str
) -> None:
    tenant.set_capacity("bi_psa", 5)
    user = tenant.add_user(f"{status.lower()}@acme.example", status=status)
    payload = tenant.assign(user, "bi_psa")
    assert codes(payload) == ["USER_NOT_LICENSABLE"]
    assert tenant.pool("bi_psa")["assigned"] == 0  # type: ignore[index]
    assert licences_of(tenant, user) == []


def test_a_locked_user_can_receive_a_licence(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 5)
    user = tenant.add_user("locked@acme.example", status="LOCKED")
    assert tenant.assign(user, "bi_psa")["userErrors"] == []
    assert licences_of(tenant, user) == ["bi_psa"]


def test_unlimited_pools_never_refuse(tenant: TenantFixture) -> None:
    tenant.set_capacity("nextticket", None)
    users = [tenant.add_user(f"u{i}@acme.example") for i in range(5)]
    for user in users:
        assert tenant.assign(user, "nextticket")["userErrors"] == []
    assert tenant.pool("nextticket") == {
        "capacity": None,
        "assigned": 5,
        "available": None,
        "overAllocated": 0,
    }


def test_assign_that_very_licence_by_id(tenant: TenantFixture) -> None:
    tenant.set_capacity("phone_system", 3)
    data = tenant.admin.query(
        'query($id: ID!) { tenant(id: $id) { licenses(filter: {product: "phone_system"}) '
        "{ nodes { id uuid state } } } }",
        {"id": tenant.id},
    )
    available = data["tenant"]["licenses"]["nodes"]
    assert [lic["state"] for lic in available] == ["AVAILABLE"] * 3
    chosen = available[1]

    payload = tenant.admin.mutate(
        "assignLicense",
        {"userId": tenant.member_id, "licenseId": chosen["id"]},
        "license { uuid state assignee { id } }",
    )
    assert payload["userErrors"] == []
    assert payload["license"] == {
        "uuid": chosen["uuid"],
        "state": "ASSIGNED",
        "assignee": {"id": tenant.member_id},
    }

    again = tenant.admin.mutate(
        "assignLicense", {"userId": tenant.admin_id, "licenseId": chosen["id"]}, "license { uuid }"
    )
    assert codes(again) == ["LICENSE_IN_USE"]
    assert tenant.pool("phone_system")["assigned"] == 1  # type: ignore[index]


def test_unknown_product_and_add_on_products_are_refused(tenant: TenantFixture) -> None:
    assert codes(tenant.assign(tenant.member_id, "no_such_product")) == ["NOT_FOUND"]
    tenant.set_capacity("call_recording", 5)
    assert codes(tenant.assign(tenant.member_id, "call_recording")) == ["INVALID_INPUT"]
    assert tenant.pool("call_recording")["assigned"] == 0  # type: ignore[index]


def test_unassign_returns_the_licence_to_available_with_its_uuid(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 1)
    lic = tenant.assign(tenant.member_id, "bi_psa")["license"]

    payload = tenant.admin.mutate(
        "unassignLicense",
        {"licenseId": lic["id"]},
        "license { uuid state assignee { id } } seatPool { assigned available }",
    )

    assert payload["userErrors"] == []
    assert payload["license"] == {"uuid": lic["uuid"], "state": "AVAILABLE", "assignee": None}
    assert payload["seatPool"] == {"assigned": 0, "available": 1}
    # the same licence (same UUID) is handed out again
    again = tenant.assign(tenant.admin_id, "bi_psa")
    assert again["license"]["uuid"] == lic["uuid"]


def test_unassign_by_user_and_product(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 1)
    tenant.assign(tenant.member_id, "bi_psa")
    payload = tenant.admin.mutate(
        "unassignLicense", {"userId": tenant.member_id, "product": "bi_psa"}, "license { state }"
    )
    assert payload["license"] == {"state": "AVAILABLE"}
    again = tenant.admin.mutate(
        "unassignLicense", {"userId": tenant.member_id, "product": "bi_psa"}, "license { state }"
    )
    assert codes(again) == ["NOT_ASSIGNED"]


def test_reassign_moves_the_licence_in_one_step(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 1)
    lic = tenant.assign(tenant.member_id, "bi_psa")["license"]

    payload = tenant.admin.mutate(
        "reassignLicense",
        {"licenseId": lic["id"], "userId": tenant.admin_id},
        "license { uuid assignee { id } } previousAssignee { id }",
    )

    assert payload["userErrors"] == []
    assert payload["license"] == {"uuid": lic["uuid"], "assignee": {"id": tenant.admin_id}}
    assert payload["previousAssignee"] == {"id": tenant.member_id}
    assert tenant.pool("bi_psa")["assigned"] == 1  # type: ignore[index]
    assert licences_of(tenant, tenant.member_id) == []
    event = tenant.events(["LICENSE_REASSIGNED"])[-1]
    assert event["user"]["email"].startswith("admin-")


def test_reassign_refusals_change_nothing(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 2)
    lic = tenant.assign(tenant.member_id, "bi_psa")["license"]
    tenant.assign(tenant.admin_id, "bi_psa")
    inactive = tenant.add_user("gone@acme.example", status="INACTIVE")
    before = tenant.events()

    holder = tenant.admin.mutate(
        "reassignLicense", {"licenseId": lic["id"], "userId": tenant.admin_id}, "license { id }"
    )
    unlicensable = tenant.admin.mutate(
        "reassignLicense", {"licenseId": lic["id"], "userId": inactive}, "license { id }"
    )

    assert codes(holder) == ["ALREADY_ASSIGNED"]
    assert codes(unlicensable) == ["USER_NOT_LICENSABLE"]
    assert licences_of(tenant, tenant.member_id) == ["bi_psa"]
    assert tenant.events() == before
