"""Resuming subscriptions, slow subscribers, and no leaks across connections."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from models.enums import ChangeSource, SeatEventKind
from models.events import record_event, run_use_case
from models.tenancy import Tenant
from notifications.relay import EventRelay, SubscriberTooSlow
from notifications.streams import seat_events
from server.db import database
from tests.support import Server, TenantFixture, cli
from tests.ws import Subscription


def test_a_disconnected_subscriber_resumes_with_exactly_the_missed_events(
    tenant: TenantFixture,
) -> None:
    tenant.set_capacity("nextticket", None)
    users = [tenant.add_user(f"r{i}@acme.example") for i in range(51)]

    async def go() -> None:
        async with Subscription(tenant.server.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tenant.assign, users[0], "nextticket")
            [last] = await sub.events(1)
        # disconnected: exactly 100 changes happen meanwhile
        for user in users[1:]:
            await asyncio.to_thread(tenant.assign, user, "nextticket")
        for user in users[1:]:
            await asyncio.to_thread(
                tenant.admin.ok,
                "unassignLicense",
                {"userId": user, "product": "nextticket"},
                "license { id }",
            )
        async with Subscription(tenant.server.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id, "after": last["cursor"]})
            missed = await sub.events(100)
            await asyncio.to_thread(tenant.assign, users[1], "nextticket")
            [live] = await sub.events(1)
            await sub.nothing_for(0.5)
        sequences = [e["sequence"] for e in missed]
        assert sequences == list(range(last["sequence"] + 1, last["sequence"] + 101))
        assert [e["kind"] for e in missed] == ["LICENSE_ASSIGNED"] * 50 + [
            "LICENSE_UNASSIGNED"
        ] * 50
        assert live["sequence"] == last["sequence"] + 101

    asyncio.run(go())


def test_connect_disconnect_cycles_leak_nothing(tenant: TenantFixture) -> None:
    server = tenant.server
    baseline = server.stats()

    async def go() -> None:
        for i in range(1000):
            async with Subscription(server.ws_url, tenant.admin.token) as sub:
                if i % 2:
                    await sub.subscribe({"tenantId": tenant.id})

    asyncio.run(go())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stats = server.stats()
        if stats["subscribers"] == 0 and stats["tasks"] <= baseline["tasks"] + 2:
            break
        time.sleep(0.2)
    assert stats["subscribers"] == 0
    assert stats["watchedTenants"] == 0
    assert stats["tasks"] <= baseline["tasks"] + 2, (baseline, stats)


def test_a_subscriber_that_falls_behind_is_ended_with_its_cursor(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'relay.db'}"
    cli("migrate", env={"DATABASE_URL": url})

    async def go() -> None:
        async with database(url):
            tenant = await Tenant.create(name="Slow")
            relay = EventRelay(poll_interval=0.05, queue_size=5)
            await relay.start()

            async def write(n: int) -> None:
                async def op() -> None:
                    for _ in range(n):
                        await record_event(
                            tenant_id=tenant.id,
                            kind=SeatEventKind.SEATS_ADJUSTED,
                            source=ChangeSource.OPERATOR,
                            message="x",
                        )

                await run_use_case(op)
                relay.wake([tenant.id])

            stream = seat_events(relay, tenant_id=tenant.id, after=0)
            received: list[int] = []
            await write(3)
            received += [(await anext(stream)).sequence for _ in range(3)]
            await write(20)  # the reader is not reading: its queue (5) overflows
            await asyncio.sleep(0.5)
            with pytest.raises(SubscriberTooSlow) as err:
                while True:
                    received.append((await anext(stream)).sequence)
            await stream.aclose()
            assert received == list(range(1, len(received) + 1))
            assert err.value.last_sequence == received[-1]
            assert relay.subscriber_count == 0
            # resuming from the cursor yields the rest, in order, once
            resumed = seat_events(relay, tenant_id=tenant.id, after=received[-1])
            rest = [(await anext(resumed)).sequence for _ in range(23 - len(received))]
            assert rest == list(range(received[-1] + 1, 24))
            await resumed.aclose()
            await relay.stop()

    asyncio.run(go())


@pytest.mark.parametrize("legacy", [False, True])
def test_both_protocols_resume(tenant: TenantFixture, legacy: bool) -> None:
    tenant.set_capacity("bi_psa", 5)
    tenant.set_capacity("bi_psa", 6)

    async def go() -> None:
        async with Subscription(tenant.server.ws_url, tenant.admin.token, legacy=legacy) as sub:
            cursor = tenant.admin.query(
                "query($t: ID!) { tenant(id: $t) { events(first: 1) { edges { cursor } } } }",
                {"t": tenant.id},
            )["tenant"]["events"]["edges"][0]["cursor"]
            await sub.subscribe({"tenantId": tenant.id, "after": cursor})
            [event] = await sub.events(1)
            assert event["sequence"] == 2

    asyncio.run(go())


def test_stats_endpoint_counts_live_subscribers(server: Server, tenant: TenantFixture) -> None:
    async def go() -> None:
        async with Subscription(server.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            await asyncio.sleep(0.3)
            assert (await asyncio.to_thread(server.stats))["subscribers"] >= 1

    asyncio.run(go())
