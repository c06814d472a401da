"""The event log and the seatEvents subscription (graphql-transport-ws and graphql-ws)."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from tests.support import Server, TenantFixture, new_tenant
from tests.ws import Subscription


def test_every_change_writes_one_event_with_a_gap_free_sequence(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 2)
    lic = tenant.assign(tenant.member_id, "bi_psa")["license"]
    tenant.admin.ok(
        "reassignLicense", {"licenseId": lic["id"], "userId": tenant.admin_id}, "license { id }"
    )
    tenant.admin.ok("unassignLicense", {"licenseId": lic["id"]}, "license { id }")

    events = tenant.events()

    assert [e["sequence"] for e in events] == [1, 2, 3, 4]
    assert [e["kind"] for e in events] == [
        "SEATS_ADJUSTED",
        "LICENSE_ASSIGNED",
        "LICENSE_REASSIGNED",
        "LICENSE_UNASSIGNED",
    ]
    assigned = events[1]
    assert assigned["source"] == "ADMIN"
    assert assigned["product"] == "bi_psa"
    assert assigned["pool"] == {"capacity": 2, "assigned": 1, "available": 1}
    assert assigned["license"] == {"uuid": lic["uuid"]}
    assert assigned["message"].startswith("BI Packages - PSA licence assigned to ")
    assert assigned["message"].endswith(": 2 purchased, 1 assigned, 1 available.")
    assert events[0]["source"] == "OPERATOR" and events[0]["actor"] is None


def test_event_log_pages_by_cursor(tenant: TenantFixture) -> None:
    tenant.set_capacity("nextticket", None)
    for i in range(4):
        tenant.assign(tenant.add_user(f"e{i}@acme.example"), "nextticket")
    query = (
        "query($t: ID!, $after: String) { tenant(id: $t) { events(first: 2, after: $after) "
        "{ totalCount pageInfo { hasNextPage endCursor } edges { cursor node { sequence } } } } }"
    )
    seen = []
    after = None
    while True:
        page = tenant.admin.query(query, {"t": tenant.id, "after": after})["tenant"]["events"]
        assert page["totalCount"] == 5
        seen += [e["node"]["sequence"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [1, 2, 3, 4, 5]


def test_subscription_pushes_committed_events_live(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)

    async def go() -> None:
        async with Subscription(tenant.server.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tenant.assign, tenant.member_id, "bi_psa")
            [event] = await sub.events(1)
            assert event["kind"] == "LICENSE_ASSIGNED"
            assert event["sequence"] == 2
            assert event["pool"] == {
                "product": "bi_psa",
                "capacity": 3,
                "assigned": 1,
                "available": 2,
            }
            assert event["user"]["email"].startswith("member-")
            # a refused change publishes nothing
            await asyncio.to_thread(tenant.assign, tenant.member_id, "bi_psa")
            await sub.nothing_for(1.0)

    asyncio.run(go())


def test_subscription_with_after_replays_then_continues_without_gap_or_duplicate(
    tenant: TenantFixture,
) -> None:
    tenant.set_capacity("nextticket", None)
    users = [tenant.add_user(f"r{i}@acme.example") for i in range(4)]
    for user in users[:3]:
        tenant.assign(user, "nextticket")
    first = tenant.events()[0]
    cursor = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { events(first: 1) { edges { cursor } } } }",
        {"t": tenant.id},
    )["tenant"]["events"]["edges"][0]["cursor"]
    assert first["sequence"] == 1

    async def go() -> None:
        async with Subscription(tenant.server.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id, "after": cursor})
            replayed = await sub.events(3)
            assert [e["sequence"] for e in replayed] == [2, 3, 4]
            await asyncio.to_thread(tenant.assign, users[3], "nextticket")
            [live] = await sub.events(1)
            assert live["sequence"] == 5
            await sub.nothing_for(1.0)

    asyncio.run(go())


def test_subscription_kinds_filter(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)

    async def go() -> None:
        async with Subscription(tenant.server.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id, "kinds": ["SEATS_ADJUSTED"]})
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tenant.assign, tenant.member_id, "bi_psa")
            await asyncio.to_thread(tenant.set_capacity, "bi_psa", 5)
            [event] = await sub.events(1)
            assert event["kind"] == "SEATS_ADJUSTED" and event["delta"] == 2

    asyncio.run(go())


def test_legacy_graphql_ws_protocol(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)

    async def go() -> None:
        async with Subscription(tenant.server.ws_url, tenant.admin.token, legacy=True) as sub:
            await sub.subscribe({"tenantId": tenant.id, "after": None})
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tenant.assign, tenant.member_id, "bi_psa")
            [event] = await sub.events(1)
            assert event["kind"] == "LICENSE_ASSIGNED"

    asyncio.run(go())


@pytest.mark.parametrize("who", ["member", "other_admin"])
def test_subscription_is_authorised_per_subscription(server: Server, who: str) -> None:
    tenant = new_tenant(server)
    other = new_tenant(server, "Other")
    token = tenant.member.token if who == "member" else other.admin.token
    expected = "FORBIDDEN" if who == "member" else "NOT_FOUND"

    async def go() -> None:
        async with Subscription(server.ws_url, token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            message = await sub.receive()
            assert message["type"] in ("error", "next"), message
            errors = (
                message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            )
            assert errors[0]["extensions"]["code"] == expected

    asyncio.run(go())


def test_connection_without_a_valid_token_is_rejected(server: Server) -> None:
    async def go() -> None:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with Subscription(server.ws_url, "sg_wrong") as sub:
                await sub.receive()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

    asyncio.run(go())


def test_operators_subscribe_to_any_tenant(tenant: TenantFixture) -> None:
    async def go() -> None:
        async with Subscription(tenant.server.ws_url, tenant.operator.token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tenant.set_capacity, "bi_rmm", 2)
            [event] = await sub.events(1)
            assert event["kind"] == "SEATS_ADJUSTED"

    asyncio.run(go())
