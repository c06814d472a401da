"""Plan subscriptions: bundles, a la carte allocation, plan changes, cancellation, invoices."""

from __future__ import annotations

from typing import Any

from tests.support import TenantFixture, codes

SUB = "subscription { id status quantity source plan { code } allocations { product seats } cancelledAt }"


def subscribe(tenant: TenantFixture, plan: str, quantity: int, **extra: Any) -> dict[str, Any]:
    return tenant.admin.mutate(
        "createSubscription",
        {"tenantId": tenant.id, "plan": plan, "quantity": quantity, **extra},
        SUB,
    )


def capacities(tenant: TenantFixture) -> dict[str, int | None]:
    data = tenant.operator.query(
        "query($t: ID!) { tenant(id: $t) { status seatPools { product { code } capacity } } }",
        {"t": tenant.id},
    )
    return {p["product"]["code"]: p["capacity"] for p in data["tenant"]["seatPools"]}


def test_administrators_must_accept_terms_to_buy(tenant: TenantFixture) -> None:
    refused = subscribe(tenant, "startup", 10)
    assert codes(refused) == ["TERMS_NOT_ACCEPTED"]
    assert capacities(tenant) == {}
    bought = subscribe(tenant, "startup", 10, acceptTerms=True)
    assert (
        bought["subscription"]["status"] == "ACTIVE"
        and bought["subscription"]["source"] == "DIRECT"
    )
    assert capacities(tenant) == {"nextticket": 10, "bi_psa": 10}
    assert tenant.events()[-1]["kind"] == "SUBSCRIPTION_CREATED"


def test_pools_of_several_subscriptions_add_up(tenant: TenantFixture) -> None:
    subscribe(tenant, "startup", 10, acceptTerms=True)
    subscribe(tenant, "professional", 5, acceptTerms=True)
    assert capacities(tenant) == {"nextticket": 15, "bi_psa": 15, "bi_rmm": 5}
    listed = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { subscriptions { plan { code } } } }", {"t": tenant.id}
    )
    assert [s["plan"]["code"] for s in listed["tenant"]["subscriptions"]] == [
        "startup",
        "professional",
    ]


def test_a_la_carte_budget_is_allocated_by_administrators(tenant: TenantFixture) -> None:
    sub = subscribe(tenant, "a_la_carte", 10, acceptTerms=True)["subscription"]
    assert capacities(tenant) == {}

    over = tenant.admin.mutate(
        "allocateSeats",
        {
            "subscriptionId": sub["id"],
            "allocations": [
                {"product": "nextticket", "seats": 6},
                {"product": "bi_psa", "seats": 5},
            ],
        },
        "seatPools { capacity }",
    )
    foreign = tenant.admin.mutate(
        "allocateSeats",
        {"subscriptionId": sub["id"], "allocations": [{"product": "crm_user", "seats": 1}]},
        "seatPools { capacity }",
    )
    assert codes(over) == ["ALLOCATION_EXCEEDS_PURCHASE"] and codes(foreign) == ["INVALID_INPUT"]
    assert capacities(tenant) == {}

    done = tenant.admin.ok(
        "allocateSeats",
        {
            "subscriptionId": sub["id"],
            "allocations": [
                {"product": "nextticket", "seats": 6},
                {"product": "bi_psa", "seats": 4},
            ],
        },
        "subscription { allocations { product seats } } seatPools { product { code } capacity }",
    )
    assert done["subscription"]["allocations"] == [
        {"product": "nextticket", "seats": 6},
        {"product": "bi_psa", "seats": 4},
    ]
    assert capacities(tenant) == {"nextticket": 6, "bi_psa": 4}

    tenant.admin.ok(
        "allocateSeats",
        {
            "subscriptionId": sub["id"],
            "allocations": [
                {"product": "nextticket", "seats": 2},
                {"product": "bi_rmm", "seats": 8},
            ],
        },
        "subscription { id }",
    )
    assert capacities(tenant) == {"nextticket": 2, "bi_psa": 0, "bi_rmm": 8}


def test_only_startup_and_professional_change_in_place(tenant: TenantFixture) -> None:
    sub = subscribe(tenant, "startup", 4, acceptTerms=True)["subscription"]
    events = tenant.events()
    to_bundle = tenant.admin.mutate(
        "changePlan", {"subscriptionId": sub["id"], "plan": "bundle"}, SUB
    )
    assert codes(to_bundle) == ["PLAN_CHANGE_NOT_ALLOWED"]
    assert "cancel this subscription and purchase Bundle" in to_bundle["userErrors"][0]["message"]
    assert tenant.events() == events

    dry = tenant.admin.mutate(
        "changePlan", {"subscriptionId": sub["id"], "plan": "professional", "dryRun": True}, SUB
    )
    assert dry["subscription"]["plan"] == {"code": "professional"}
    assert capacities(tenant) == {"nextticket": 4, "bi_psa": 4}

    up = tenant.admin.ok("changePlan", {"subscriptionId": sub["id"], "plan": "professional"}, SUB)
    assert up["subscription"]["plan"] == {"code": "professional"}
    assert capacities(tenant) == {"nextticket": 4, "bi_psa": 4, "bi_rmm": 4}
    assert tenant.events(["PLAN_CHANGED"])[-1]["message"].startswith(
        "Subscription upgraded from StartUp to Professional"
    )
    down = tenant.admin.ok("changePlan", {"subscriptionId": sub["id"], "plan": "startup"}, SUB)
    assert down["subscription"]["plan"] == {"code": "startup"}
    assert capacities(tenant)["bi_rmm"] == 0

    carte = subscribe(tenant, "a_la_carte", 3, acceptTerms=True)["subscription"]
    refused = tenant.admin.mutate(
        "changePlan", {"subscriptionId": carte["id"], "plan": "professional"}, SUB
    )
    assert codes(refused) == ["PLAN_CHANGE_NOT_ALLOWED"]


def test_cancelling_keeps_data_and_denies_access(tenant: TenantFixture) -> None:
    sub = subscribe(tenant, "startup", 3, acceptTerms=True)["subscription"]
    tenant.assign(tenant.member_id, "nextticket")

    cancelled = tenant.admin.ok("cancelSubscription", {"subscriptionId": sub["id"]}, SUB)

    assert (
        cancelled["subscription"]["status"] == "CANCELLED"
        and cancelled["subscription"]["cancelledAt"]
    )
    assert tenant.events(["SUBSCRIPTION_CANCELLED"])
    access = tenant.member.query('{ viewer { access(product: "nextticket") { allowed denial } } }')
    assert access["viewer"]["access"] == {"allowed": False, "denial": "SUBSCRIPTION_CANCELLED"}
    licences = tenant.admin.query(
        "{ viewer { tenant { status licenses(filter: {state: ASSIGNED}) { totalCount } } } }"
    )
    assert licences["viewer"]["tenant"] == {"status": "CANCELLED", "licenses": {"totalCount": 1}}
    assert codes(tenant.assign(tenant.admin_id, "bi_psa")) == ["SUBSCRIPTION_CANCELLED"]
    again = tenant.admin.mutate("cancelSubscription", {"subscriptionId": sub["id"]}, SUB)
    assert codes(again) == ["SUBSCRIPTION_CANCELLED"]
    # a new purchase reactivates the tenant
    subscribe(tenant, "startup", 3, acceptTerms=True)
    assert tenant.member.query('{ viewer { access(product: "nextticket") { allowed } } }')[
        "viewer"
    ]["access"]["allowed"]


def test_next_invoice_lists_subscriptions_and_extra_seats(tenant: TenantFixture) -> None:
    subscribe(tenant, "startup", 10, acceptTerms=True)
    subscribe(tenant, "professional", 2, acceptTerms=True)
    payload = tenant.admin.ok(
        "adjustSeatCapacity",
        {"tenantId": tenant.id, "product": "bi_rmm", "capacity": 5, "acceptTerms": True},
        "nextInvoice { lines { description quantity unitPrice { amount currencyCode } amount { amount } } "
        "total { amount currencyCode } }",
    )
    invoice = payload["nextInvoice"]
    assert invoice["lines"] == [
        {
            "description": "StartUp plan",
            "quantity": 10,
            "unitPrice": {"amount": "12.00", "currencyCode": "USD"},
            "amount": {"amount": "120.00"},
        },
        {
            "description": "Professional plan",
            "quantity": 2,
            "unitPrice": {"amount": "20.00", "currencyCode": "USD"},
            "amount": {"amount": "40.00"},
        },
        {
            "description": "Additional BI Packages - RMM seats",
            "quantity": 3,
            "unitPrice": {"amount": "8.00", "currencyCode": "USD"},
            "amount": {"amount": "24.00"},
        },
    ]
    assert invoice["total"] == {"amount": "184.00", "currencyCode": "USD"}
    same = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { nextInvoice { total { amount } } } }", {"t": tenant.id}
    )
    assert same["tenant"]["nextInvoice"]["total"]["amount"] == "184.00"


def test_members_cannot_buy_or_see_billing(tenant: TenantFixture) -> None:
    refused = tenant.member.mutate(
        "createSubscription",
        {"tenantId": tenant.id, "plan": "startup", "quantity": 1, "acceptTerms": True},
        SUB,
    )
    assert codes(refused) == ["FORBIDDEN"]
    body = tenant.member.raw(
        "query($t: ID!) { tenant(id: $t) { nextInvoice { total { amount } } } }", {"t": tenant.id}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert codes(subscribe(tenant, "no_plan", 1, acceptTerms=True)) == ["NOT_FOUND"]
    assert codes(subscribe(tenant, "startup", 0, acceptTerms=True)) == ["INVALID_INPUT"]
    assert capacities(tenant) == {}
