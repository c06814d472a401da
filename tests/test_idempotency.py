"""idempotencyKey and dryRun on seat-changing mutations."""

from __future__ import annotations

from tests.support import TenantFixture, codes

SELECTION = "license { id uuid } seatPool { capacity assigned available }"


def test_same_key_and_input_returns_the_first_result_and_changes_nothing(
    tenant: TenantFixture,
) -> None:
    tenant.set_capacity("bi_psa", 5)
    input = {"userId": tenant.member_id, "product": "bi_psa", "idempotencyKey": "k-1"}
    first = tenant.admin.mutate("assignLicense", input, SELECTION)
    events = tenant.events()

    second = tenant.admin.mutate("assignLicense", input, SELECTION)

    assert first["userErrors"] == [] and second["userErrors"] == []
    assert second["license"] == first["license"]
    assert tenant.pool("bi_psa")["assigned"] == 1  # type: ignore[index]
    assert tenant.events() == events


def test_same_key_with_other_input_is_refused(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 5)
    tenant.admin.ok(
        "assignLicense",
        {"userId": tenant.member_id, "product": "bi_psa", "idempotencyKey": "k-2"},
        SELECTION,
    )
    other = tenant.admin.mutate(
        "assignLicense",
        {"userId": tenant.admin_id, "product": "bi_psa", "idempotencyKey": "k-2"},
        SELECTION,
    )
    assert codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    assert tenant.pool("bi_psa")["assigned"] == 1  # type: ignore[index]


def test_keys_are_per_caller(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 5)
    tenant.admin.ok(
        "assignLicense",
        {"userId": tenant.member_id, "product": "bi_psa", "idempotencyKey": "shared"},
        SELECTION,
    )
    tenant.operator.ok(
        "assignLicense",
        {"userId": tenant.admin_id, "product": "bi_psa", "idempotencyKey": "shared"},
        SELECTION,
    )
    assert tenant.pool("bi_psa")["assigned"] == 2  # type: ignore[index]


def test_a_refusal_is_not_remembered(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 0)
    input = {"userId": tenant.member_id, "product": "bi_psa", "idempotencyKey": "k-3"}
    assert codes(tenant.admin.mutate("assignLicense", input, SELECTION)) == ["SEAT_LIMIT_REACHED"]
    tenant.set_capacity("bi_psa", 1)
    assert tenant.admin.mutate("assignLicense", input, SELECTION)["userErrors"] == []


def test_dry_run_reports_what_would_change_and_commits_nothing(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 1)
    events = tenant.events()

    payload = tenant.admin.mutate(
        "assignLicense",
        {"userId": tenant.member_id, "product": "bi_psa", "dryRun": True},
        SELECTION,
    )
    refused = tenant.admin.mutate(
        "assignLicense",
        {"userId": tenant.member_id, "product": "nextticket", "dryRun": True},
        SELECTION,
    )
    grow = tenant.admin.mutate(
        "adjustSeatCapacity",
        {
            "tenantId": tenant.id,
            "product": "bi_psa",
            "capacity": 4,
            "acceptTerms": True,
            "dryRun": True,
        },
        "seatPool { capacity available }",
    )

    assert payload["userErrors"] == []
    assert payload["seatPool"] == {"capacity": 1, "assigned": 1, "available": 0}
    assert codes(refused) == ["SEAT_LIMIT_REACHED"]
    assert grow["seatPool"] == {"capacity": 4, "available": 4}
    assert tenant.pool("bi_psa") == {
        "capacity": 1,
        "assigned": 0,
        "available": 1,
        "overAllocated": 0,
    }
    assert tenant.events() == events


def test_idempotent_unassign_and_capacity(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 1)
    lic = tenant.assign(tenant.member_id, "bi_psa")["license"]
    for _ in range(2):
        payload = tenant.admin.mutate(
            "unassignLicense",
            {"licenseId": lic["id"], "idempotencyKey": "u-1"},
            "license { state }",
        )
        assert payload["userErrors"] == [] and payload["license"] == {"state": "AVAILABLE"}
    for _ in range(2):
        payload = tenant.admin.mutate(
            "adjustSeatCapacity",
            {
                "tenantId": tenant.id,
                "product": "bi_psa",
                "capacity": 3,
                "acceptTerms": True,
                "idempotencyKey": "c-1",
            },
            "seatPool { capacity }",
        )
        assert payload["seatPool"] == {"capacity": 3}
    assert len(tenant.events(["SEATS_ADJUSTED"])) == 2  # the fixture's and one increase
