"""Booking pages: only owners holding a scheduled_meeting licence keep enabled pages."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support import TenantFixture, codes

PAGE = "bookingPage { id title slug enabled disabledReason owner { id } }"


def create_page(tenant: TenantFixture, owner: str, title: str, **extra: Any) -> dict[str, Any]:
    return tenant.admin.mutate(
        "createBookingPage", {"ownerId": owner, "title": title, **extra}, PAGE
    )


def licensed_owner(tenant: TenantFixture, email: str = "host@acme.example") -> str:
    tenant.set_capacity("scheduled_meeting", 5)
    owner = tenant.add_user(email)
    assert tenant.assign(owner, "scheduled_meeting")["userErrors"] == []
    return owner


def pages_of(tenant: TenantFixture, owner: str) -> list[dict[str, Any]]:
    data = tenant.admin.query(
        "query($id: ID!) { node(id: $id) { ... on User { bookingPages { title enabled disabledReason } } } }",
        {"id": owner},
    )
    return list(data["node"]["bookingPages"])


def test_creating_an_enabled_page_needs_a_scheduling_licence(tenant: TenantFixture) -> None:
    payload = create_page(tenant, tenant.member_id, "Intro call")
    assert codes(payload) == ["OWNER_UNLICENSED"]
    assert pages_of(tenant, tenant.member_id) == []
    disabled = create_page(tenant, tenant.member_id, "Later", enabled=False)
    assert disabled["bookingPage"]["enabled"] is False
    enable = tenant.admin.mutate(
        "setBookingPageEnabled",
        {"bookingPageId": disabled["bookingPage"]["id"], "enabled": True},
        PAGE,
    )
    assert codes(enable) == ["OWNER_UNLICENSED"]
    assert pages_of(tenant, tenant.member_id) == [
        {"title": "Later", "enabled": False, "disabledReason": "DISABLED_BY_ADMIN"}
    ]


def test_licensed_owner_gets_an_enabled_page_with_a_unique_slug(tenant: TenantFixture) -> None:
    owner = licensed_owner(tenant)
    first = create_page(tenant, owner, "Intro Call!")
    second = create_page(tenant, owner, "Intro call")
    assert first["bookingPage"]["slug"] == "intro-call" and first["bookingPage"]["enabled"] is True
    assert second["bookingPage"]["slug"] == "intro-call-2"
    clash = create_page(tenant, owner, "Other", slug="intro-call")
    assert codes(clash) == ["DUPLICATE"]
    bad = create_page(tenant, owner, "Other", slug="Not A Slug")
    assert codes(bad) == ["INVALID_INPUT"]


def test_unassigning_the_licence_disables_every_enabled_page_in_one_event(
    tenant: TenantFixture,
) -> None:
    owner = licensed_owner(tenant)
    a = create_page(tenant, owner, "A")["bookingPage"]
    b = create_page(tenant, owner, "B")["bookingPage"]
    create_page(tenant, owner, "Off", enabled=False)

    payload = tenant.admin.mutate(
        "unassignLicense",
        {"userId": owner, "product": "scheduled_meeting"},
        "license { state } disabledBookingPages { id enabled disabledReason }",
    )

    assert payload["userErrors"] == []
    assert payload["disabledBookingPages"] == [
        {"id": a["id"], "enabled": False, "disabledReason": "OWNER_UNLICENSED"},
        {"id": b["id"], "enabled": False, "disabledReason": "OWNER_UNLICENSED"},
    ]
    events = tenant.events()
    assert [e["kind"] for e in events[-2:]] == ["LICENSE_UNASSIGNED", "BOOKING_PAGES_DISABLED"]
    data = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { events(kinds: [BOOKING_PAGES_DISABLED]) "
        "{ nodes { user { id } bookingPages { title } } } } }",
        {"t": tenant.id},
    )
    [event] = data["tenant"]["events"]["nodes"]
    assert event == {"user": {"id": owner}, "bookingPages": [{"title": "A"}, {"title": "B"}]}

    # licensing the owner again re-enables nothing
    tenant.assign(owner, "scheduled_meeting")
    assert [p["enabled"] for p in pages_of(tenant, owner)] == [False, False, False]


def test_reassigning_the_licence_disables_the_previous_owners_pages(tenant: TenantFixture) -> None:
    owner = licensed_owner(tenant)
    create_page(tenant, owner, "A")
    lic = tenant.admin.query(
        "query($id: ID!) { node(id: $id) { ... on User { licenses { id } } } }", {"id": owner}
    )["node"]["licenses"][0]["id"]
    payload = tenant.admin.mutate(
        "reassignLicense",
        {"licenseId": lic, "userId": tenant.member_id},
        "disabledBookingPages { title disabledReason }",
    )
    assert payload["disabledBookingPages"] == [{"title": "A", "disabledReason": "OWNER_UNLICENSED"}]


def test_deactivating_and_deleting_the_owner_disable_pages(tenant: TenantFixture) -> None:
    owner = licensed_owner(tenant)
    create_page(tenant, owner, "A")
    tenant.admin.ok("updateUser", {"userId": owner, "status": "INACTIVE"}, "user { id }")
    assert pages_of(tenant, owner) == [
        {"title": "A", "enabled": False, "disabledReason": "OWNER_UNLICENSED"}
    ]

    other = licensed_owner(tenant, "other@acme.example")
    create_page(tenant, other, "B")
    tenant.admin.ok("deleteUser", {"userId": other}, "deletedUserId")
    handed = pages_of(tenant, tenant.admin_id)
    assert handed == [{"title": "B", "enabled": False, "disabledReason": "OWNER_UNLICENSED"}]


def test_seasonal_expiry_disables_pages(tenant: TenantFixture) -> None:
    import datetime as dt
    import time

    tenant.set_capacity("scheduled_meeting", 5)
    owner = tenant.add_user("season@acme.example")
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
    assert tenant.assign(owner, "scheduled_meeting", expiresAt=soon)["userErrors"] == []
    create_page(tenant, owner, "Summer")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and pages_of(tenant, owner)[0]["enabled"]:
        time.sleep(0.5)
    assert pages_of(tenant, owner) == [
        {"title": "Summer", "enabled": False, "disabledReason": "OWNER_UNLICENSED"}
    ]
    assert tenant.events(["LICENSE_UNASSIGNED"])[-1]["source"] == "SCHEDULE"


def test_transfer_moves_and_optionally_enables(tenant: TenantFixture) -> None:
    owner = licensed_owner(tenant)
    page = create_page(tenant, owner, "A")["bookingPage"]
    # to an unlicensed user: the page is disabled, never left enabled
    moved = tenant.admin.mutate(
        "transferBookingPage", {"bookingPageId": page["id"], "newOwnerId": tenant.member_id}, PAGE
    )
    assert moved["bookingPage"]["owner"] == {"id": tenant.member_id}
    assert moved["bookingPage"]["enabled"] is False
    assert moved["bookingPage"]["disabledReason"] == "OWNER_UNLICENSED"
    refused = tenant.admin.mutate(
        "transferBookingPage",
        {"bookingPageId": page["id"], "newOwnerId": tenant.member_id, "enable": True},
        PAGE,
    )
    assert codes(refused) == ["OWNER_UNLICENSED"]
    back = tenant.admin.mutate(
        "transferBookingPage",
        {"bookingPageId": page["id"], "newOwnerId": owner, "enable": True},
        PAGE,
    )
    assert back["bookingPage"]["enabled"] is True and back["bookingPage"]["disabledReason"] is None
    member_try = tenant.member.mutate(
        "transferBookingPage", {"bookingPageId": page["id"], "newOwnerId": tenant.member_id}, PAGE
    )
    assert codes(member_try) == ["FORBIDDEN"]


def test_members_see_their_own_pages_and_admins_all(tenant: TenantFixture) -> None:
    owner = licensed_owner(tenant)
    create_page(tenant, owner, "Theirs")
    create_page(tenant, tenant.member_id, "Mine", enabled=False)
    query = "query($t: ID!) { tenant(id: $t) { bookingPages { totalCount nodes { title } } } }"
    assert tenant.member.query(query, {"t": tenant.id})["tenant"]["bookingPages"]["nodes"] == [
        {"title": "Mine"}
    ]
    assert tenant.admin.query(query, {"t": tenant.id})["tenant"]["bookingPages"]["totalCount"] == 2
    enabled = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { bookingPages(enabled: true) { nodes { title } } } }",
        {"t": tenant.id},
    )
    assert enabled["tenant"]["bookingPages"]["nodes"] == [{"title": "Theirs"}]


def test_live_engagement_gates_live_chat(tenant: TenantFixture) -> None:
    tenant.set_capacity("live_engagement", 1)
    query = '{ viewer { access(product: "live_engagement") { allowed denial } } }'
    assert tenant.member.query(query)["viewer"]["access"] == {
        "allowed": False,
        "denial": "NO_PERMISSION",
    }
    tenant.assign(tenant.member_id, "live_engagement")
    assert tenant.member.query(query)["viewer"]["access"] == {"allowed": True, "denial": None}


ENABLE = (
    "mutation($input: SetBookingPageEnabledInput!) { setBookingPageEnabled(input: $input) "
    "{ bookingPage { enabled } userErrors { code } } }"
)
UNASSIGN = (
    "mutation($input: UnassignLicenseInput!) { unassignLicense(input: $input) "
    "{ license { state } userErrors { code } } }"
)


def test_concurrent_unassign_and_enable_never_leave_an_enabled_page_unlicensed(
    tenant: TenantFixture,
) -> None:
    owner = licensed_owner(tenant)
    token = tenant.admin.token
    headers = {"Authorization": f"Bearer {token}"}

    async def race(page_id: str) -> None:
        async with httpx.AsyncClient(timeout=60, headers=headers) as client:
            await asyncio.gather(
                client.post(
                    tenant.server.url,
                    json={
                        "query": ENABLE,
                        "variables": {"input": {"bookingPageId": page_id, "enabled": True}},
                    },
                ),
                client.post(
                    tenant.server.url,
                    json={
                        "query": UNASSIGN,
                        "variables": {"input": {"userId": owner, "product": "scheduled_meeting"}},
                    },
                ),
            )

    for round_ in range(8):
        page = create_page(tenant, owner, f"Race {round_}", enabled=False)["bookingPage"]
        asyncio.run(race(page["id"]))
        state = tenant.admin.query(
            "query($id: ID!, $p: ID!) { user: node(id: $id) { ... on User { "
            'access(product: "scheduled_meeting") { allowed } } } page: node(id: $p) { ... on BookingPage { enabled } } }',
            {"id": owner, "p": page["id"]},
        )
        licensed = state["user"]["access"]["allowed"]
        assert licensed is False
        assert state["page"]["enabled"] is False, f"round {round_}: enabled page, unlicensed owner"
        tenant.assign(owner, "scheduled_meeting")
