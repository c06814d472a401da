"""User allowance (BY_STATUS): ACTIVE and LOCKED users hold a crm_user seat, others none."""

from __future__ import annotations

import itertools

import pytest

from tests.support import TenantFixture, codes

STATUSES = ["ACTIVE", "LOCKED", "INACTIVE", "ROOM", "RESOURCE", "ASSET", "QUEUE"]
HOLDS_SEAT = {"ACTIVE", "LOCKED"}


def crm_seat(tenant: TenantFixture, user_id: str) -> bool:
    data = tenant.operator.query(
        "query($id: ID!) { node(id: $id) { ... on User { licenses { product { code } } } } }",
        {"id": user_id},
    )
    return "crm_user" in [lic["product"]["code"] for lic in data["node"]["licenses"]]


def create(tenant: TenantFixture, email: str, status: str, **extra: object) -> dict[str, object]:
    return tenant.admin.mutate(
        "createUser",
        {"tenantId": tenant.id, "email": email, "name": "U", "status": status, **extra},
        "user { id status }",
    )


def test_a_new_allowance_pool_seats_the_existing_active_users(tenant: TenantFixture) -> None:
    tenant.add_user("gone@acme.example", status="INACTIVE")
    pool = tenant.set_capacity("crm_user", 5)
    assert pool["assigned"] == 2  # the administrator and the member
    assert crm_seat(tenant, tenant.member_id)


@pytest.mark.parametrize(("before", "after"), list(itertools.permutations(STATUSES, 2)))
def test_every_status_transition(tenant: TenantFixture, before: str, after: str) -> None:
    tenant.set_capacity("crm_user", 10)
    user = str(create(tenant, f"{before}.{after}@acme.example".lower(), before)["user"]["id"])  # type: ignore[index]
    assert crm_seat(tenant, user) is (before in HOLDS_SEAT)
    assert tenant.pool("crm_user")["assigned"] == 2 + (before in HOLDS_SEAT)  # type: ignore[index]

    payload = tenant.admin.mutate(
        "updateUser", {"userId": user, "status": after}, "user { status canLogIn }"
    )

    assert payload["userErrors"] == []
    assert payload["user"] == {"status": after, "canLogIn": after == "ACTIVE"}
    assert crm_seat(tenant, user) is (after in HOLDS_SEAT)
    assert tenant.pool("crm_user")["assigned"] == 2 + (after in HOLDS_SEAT)  # type: ignore[index]


@pytest.mark.parametrize("status", ["ACTIVE", "LOCKED"])
def test_no_free_seat_refuses_creating_or_activating(tenant: TenantFixture, status: str) -> None:
    tenant.set_capacity("crm_user", 2)  # taken by the administrator and the member
    refused = create(tenant, "new@acme.example", status)
    assert codes(refused) == ["SEAT_LIMIT_REACHED"]
    found = tenant.admin.query(
        'query($t: ID!) { tenant(id: $t) { user(email: "new@acme.example") { id } } }',
        {"t": tenant.id},
    )
    assert found["tenant"]["user"] is None

    sleeper = str(create(tenant, "sleeper@acme.example", "INACTIVE")["user"]["id"])  # type: ignore[index]
    wake = tenant.admin.mutate(
        "updateUser", {"userId": sleeper, "status": status}, "user { status }"
    )
    assert codes(wake) == ["SEAT_LIMIT_REACHED"]
    assert (
        tenant.operator.query(
            "query($id: ID!) { node(id: $id) { ... on User { status } } }", {"id": sleeper}
        )["node"]["status"]
        == "INACTIVE"
    )
    assert tenant.pool("crm_user")["capacity"] == 2  # type: ignore[index]


def test_other_statuses_never_need_a_seat(tenant: TenantFixture) -> None:
    tenant.set_capacity("crm_user", 2)
    for status in ["INACTIVE", "ROOM", "RESOURCE", "ASSET", "QUEUE"]:
        assert create(tenant, f"{status.lower()}@acme.example", status)["userErrors"] == []
    assert tenant.pool("crm_user") == {
        "capacity": 2,
        "assigned": 2,
        "available": 0,
        "overAllocated": 0,
    }


def test_increase_capacity_with_terms_adds_exactly_one_seat(tenant: TenantFixture) -> None:
    tenant.set_capacity("crm_user", 2)
    no_terms = create(tenant, "a@acme.example", "ACTIVE", increaseCapacity=True)
    assert codes(no_terms) == ["TERMS_NOT_ACCEPTED"]
    created = create(tenant, "a@acme.example", "ACTIVE", increaseCapacity=True, acceptTerms=True)
    assert created["userErrors"] == []
    assert tenant.pool("crm_user") == {
        "capacity": 3,
        "assigned": 3,
        "available": 0,
        "overAllocated": 0,
    }
    assert tenant.events(["SEATS_ADJUSTED"])[-1]["source"] == "AUTO_INCREASE"

    sleeper = str(create(tenant, "b@acme.example", "INACTIVE")["user"]["id"])  # type: ignore[index]
    woke = tenant.admin.mutate(
        "updateUser",
        {"userId": sleeper, "status": "LOCKED", "increaseCapacity": True, "acceptTerms": True},
        "user { status }",
    )
    assert woke["userErrors"] == []
    assert tenant.pool("crm_user")["capacity"] == 4  # type: ignore[index]


def test_deactivating_or_deleting_frees_the_seat_at_once(tenant: TenantFixture) -> None:
    tenant.set_capacity("crm_user", 3)
    a = str(create(tenant, "a@acme.example", "ACTIVE")["user"]["id"])  # type: ignore[index]
    tenant.admin.ok("updateUser", {"userId": a, "status": "INACTIVE"}, "user { id }")
    b = str(create(tenant, "b@acme.example", "ACTIVE")["user"]["id"])  # type: ignore[index]
    assert tenant.pool("crm_user")["available"] == 0  # type: ignore[index]
    tenant.admin.ok("deleteUser", {"userId": b}, "deletedUserId")
    assert tenant.pool("crm_user")["available"] == 1  # type: ignore[index]


def test_allowance_seats_cannot_be_moved_by_hand(tenant: TenantFixture) -> None:
    tenant.set_capacity("crm_user", 5)
    assert codes(tenant.assign(tenant.member_id, "crm_user")) == ["INVALID_INPUT"]
    unassign = tenant.admin.mutate(
        "unassignLicense", {"userId": tenant.member_id, "product": "crm_user"}, "license { id }"
    )
    assert codes(unassign) == ["INVALID_INPUT"]
    assert crm_seat(tenant, tenant.member_id)


def test_allowance_gives_access_and_inactive_users_cannot_log_in(tenant: TenantFixture) -> None:
    query = '{ viewer { access(product: "crm_user") { allowed denial } } }'
    assert tenant.member.query(query)["viewer"]["access"]["denial"] == "NO_PERMISSION"
    tenant.set_capacity("crm_user", 5)
    assert tenant.member.query(query)["viewer"]["access"] == {"allowed": True, "denial": None}
