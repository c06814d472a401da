"""adjustSeatCapacity: increase-only for administrators, over-allocation on decrease."""

from __future__ import annotations

from typing import Any

from tests.support import Api, TenantFixture, codes

POOL = "seatPool { capacity assigned available overAllocated }"


def adjust(api: Api, tenant: TenantFixture, **input: object) -> dict[str, Any]:
    return api.mutate(
        "adjustSeatCapacity", {"tenantId": tenant.id, "product": "bi_psa", **input}, POOL
    )


def test_administrator_increase_needs_terms(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)
    refused = adjust(tenant.admin, tenant, capacity=5)
    assert codes(refused) == ["TERMS_NOT_ACCEPTED"]
    assert tenant.pool("bi_psa")["capacity"] == 3  # type: ignore[index]

    accepted = adjust(tenant.admin, tenant, capacity=5, acceptTerms=True)
    assert accepted["seatPool"] == {
        "capacity": 5,
        "assigned": 0,
        "available": 5,
        "overAllocated": 0,
    }
    event = tenant.events(["SEATS_ADJUSTED"])[-1]
    assert event["delta"] == 2 and event["source"] == "ADMIN"
    assert event["message"].startswith("2 BI Packages - PSA seats added by ")
    assert event["pool"] == {"capacity": 5, "assigned": 0, "available": 5}


def test_administrator_cannot_decrease(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)
    payload = adjust(tenant.admin, tenant, capacity=2, acceptTerms=True)
    assert codes(payload) == ["DECREASE_REQUIRES_ACCOUNT_MANAGER"]
    assert tenant.pool("bi_psa")["capacity"] == 3  # type: ignore[index]


def test_administrator_cannot_make_a_pool_unlimited(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)
    payload = adjust(tenant.admin, tenant, unlimited=True, acceptTerms=True)
    assert codes(payload) == ["FORBIDDEN"]
    assert tenant.pool("bi_psa")["capacity"] == 3  # type: ignore[index]


def test_member_cannot_change_capacity(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)
    payload = tenant.member.mutate(
        "adjustSeatCapacity",
        {"tenantId": tenant.id, "product": "bi_psa", "capacity": 9, "acceptTerms": True},
        POOL,
    )
    assert codes(payload) == ["FORBIDDEN"]
    assert tenant.pool("bi_psa")["capacity"] == 3  # type: ignore[index]


def test_negative_capacity_is_invalid(tenant: TenantFixture) -> None:
    payload = adjust(tenant.operator, tenant, capacity=-1)
    assert codes(payload) == ["INVALID_INPUT"]
    assert tenant.pool("bi_psa") is None


def test_operator_decrease_below_assigned_over_allocates_and_blocks_assignment(
    tenant: TenantFixture,
) -> None:
    tenant.set_capacity("bi_psa", 3)
    users = [tenant.add_user(f"u{i}@acme.example") for i in range(3)]
    for user in users:
        tenant.assign(user, "bi_psa")

    payload = adjust(tenant.operator, tenant, capacity=1)

    assert payload["userErrors"] == []
    assert payload["seatPool"] == {"capacity": 1, "assigned": 3, "available": 0, "overAllocated": 2}
    kinds = [e["kind"] for e in tenant.events()][-2:]
    assert kinds == ["SEATS_ADJUSTED", "POOL_OVER_ALLOCATED"]
    assert tenant.events(["SEATS_ADJUSTED"])[-1]["source"] == "OPERATOR"

    refused = tenant.assign(tenant.member_id, "bi_psa", increaseCapacity=True, acceptTerms=True)
    assert codes(refused) == ["POOL_OVER_ALLOCATED"]
    assert tenant.pool("bi_psa") == {
        "capacity": 1,
        "assigned": 3,
        "available": 0,
        "overAllocated": 2,
    }

    # resolving the over-allocation: unassign two, then a seat frees up only after a third
    for user in users[:2]:
        tenant.admin.ok("unassignLicense", {"userId": user, "product": "bi_psa"}, "license { id }")
    assert tenant.pool("bi_psa") == {
        "capacity": 1,
        "assigned": 1,
        "available": 0,
        "overAllocated": 0,
    }
    assert codes(tenant.assign(tenant.member_id, "bi_psa")) == ["SEAT_LIMIT_REACHED"]


def test_capacity_materialises_available_licences(tenant: TenantFixture) -> None:
    tenant.set_capacity("phone_system", 4)
    tenant.set_capacity("phone_system", 2)

    data = tenant.admin.query(
        "query($id: ID!) { tenant(id: $id) { "
        'live: licenses(filter: {product: "phone_system", state: AVAILABLE}) { totalCount } '
        'gone: licenses(filter: {product: "phone_system", state: TERMINATED}) { totalCount } } }',
        {"id": tenant.id},
    )
    assert data["tenant"]["live"]["totalCount"] == 2
    assert data["tenant"]["gone"]["totalCount"] == 2


def test_operator_can_make_a_pool_unlimited_and_limit_it_again(tenant: TenantFixture) -> None:
    tenant.set_capacity("nextticket", None)
    assert tenant.pool("nextticket")["capacity"] is None  # type: ignore[index]
    pool = tenant.set_capacity("nextticket", 10)
    assert pool["capacity"] == 10
    assert tenant.events(["SEATS_ADJUSTED"])[-1]["delta"] is None
