"""Several server processes on one PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import POSTGRES_URL, SKIP_POSTGRES
from tests.support import (
    Server,
    cli,
    create_postgres_database,
    drop_postgres_database,
    new_tenant,
    running_server,
)
from tests.ws import Subscription

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason=SKIP_POSTGRES)

# A long poll interval: delivery across processes must come from LISTEN/NOTIFY.
SLOW_POLL = {"SEATGRAPH_RELAY_POLL_INTERVAL": "30", "SEATGRAPH_SCHEDULER_INTERVAL": "0.2"}


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    assert POSTGRES_URL is not None
    url = create_postgres_database(POSTGRES_URL)
    try:
        cli("migrate", env={"DATABASE_URL": url})
        with (
            running_server("postgres", url, tmp_path / "a.log", SLOW_POLL, migrate=False) as a,
            running_server("postgres", url, tmp_path / "b.log", SLOW_POLL, migrate=False) as b,
        ):
            yield a, b
    finally:
        drop_postgres_database(POSTGRES_URL, url)


def test_a_change_on_one_process_reaches_subscribers_of_the_other(
    two_servers: tuple[Server, Server],
) -> None:
    a, b = two_servers
    tenant = new_tenant(a)
    tenant.set_capacity("bi_psa", 3)

    async def go() -> None:
        async with Subscription(b.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            await asyncio.sleep(0.5)
            await asyncio.to_thread(tenant.assign, tenant.member_id, "bi_psa")  # sent to A
            [event] = await sub.events(1, timeout=5)  # well before the 30 s poll
            assert event["kind"] == "LICENSE_ASSIGNED"
            assert event["pool"]["assigned"] == 1

    asyncio.run(go())


def test_killing_a_process_loses_nothing_for_a_client_that_resumes_on_the_other(
    two_servers: tuple[Server, Server],
) -> None:
    a, b = two_servers
    tenant = new_tenant(a)
    tenant.set_capacity("nextticket", None)
    users = [tenant.add_user(f"k{i}@acme.example") for i in range(20)]
    on_b = b.api(tenant.admin.token)

    async def go() -> None:
        async with Subscription(a.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tenant.assign, users[0], "nextticket")
            [last] = await sub.events(1)
            a.kill()
        for user in users[1:]:
            await asyncio.to_thread(
                on_b.ok,
                "assignLicense",
                {"userId": user, "product": "nextticket"},
                "license { id }",
            )
        async with Subscription(b.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id, "after": last["cursor"]})
            rest = await sub.events(19)
            await sub.nothing_for(0.5)
        assert [e["sequence"] for e in rest] == list(
            range(last["sequence"] + 1, last["sequence"] + 20)
        )

    asyncio.run(go())


def test_a_lost_listen_connection_is_reconnected(two_servers: tuple[Server, Server]) -> None:
    a, b = two_servers
    tenant = new_tenant(a)
    tenant.set_capacity("bi_psa", 3)
    assert POSTGRES_URL is not None
    database = b.database_url.rsplit("/", 1)[1]

    async def kill_listeners() -> int:
        conn = await asyncpg.connect(POSTGRES_URL)
        try:
            return int(
                await conn.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = $1 AND query LIKE 'LISTEN%'",
                    database,
                )
            )
        finally:
            await conn.close()

    async def go() -> None:
        assert await kill_listeners() >= 1
        for _ in range(50):
            await asyncio.sleep(0.2)
            if (await asyncio.to_thread(b.stats))["listenReconnects"] >= 1 and (
                await asyncio.to_thread(b.stats)
            )["listenConnected"]:
                break
        stats = await asyncio.to_thread(b.stats)
        assert stats["listenReconnects"] >= 1 and stats["listenConnected"] is True
        async with Subscription(b.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id})
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tenant.assign, tenant.member_id, "bi_psa")
            [event] = await sub.events(1, timeout=5)
            assert event["kind"] == "LICENSE_ASSIGNED"

    asyncio.run(go())


def test_deliveries_are_sent_once_across_processes(two_servers: tuple[Server, Server]) -> None:
    from tests.peers import http_receiver

    a, _b = two_servers
    tenant = new_tenant(a)
    with http_receiver() as receiver:
        tenant.admin.ok(
            "createDeliveryChannel",
            {"tenantId": tenant.id, "kind": "WEBHOOK", "url": f"{receiver.url}/once"},
            "channel { id }",
        )
        for capacity in range(1, 21):
            tenant.set_capacity("bi_psa", capacity)
        received = receiver.wait_for("/once", 20)
        import time

        time.sleep(1.0)
        assert len(receiver.requests) == 20
        ids = [r.headers["seatgraph-delivery"] for r in received]
        assert len(set(ids)) == 20


def test_scheduled_work_runs_once_with_two_processes(two_servers: tuple[Server, Server]) -> None:
    import datetime as dt
    import time

    a, _b = two_servers
    tenant = new_tenant(a)
    tenant.set_capacity("nextticket", None)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
    for i in range(10):
        user = tenant.add_user(f"season{i}@acme.example")
        assert tenant.assign(user, "nextticket", expiresAt=expires)["userErrors"] == []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and tenant.pool("nextticket")["assigned"]:  # type: ignore[index]
        time.sleep(0.2)
    time.sleep(1.5)  # give a second process every chance to run it again
    released = tenant.events(["LICENSE_UNASSIGNED"])
    assert len(released) == 10 and {e["source"] for e in released} == {"SCHEDULE"}
    assert tenant.pool("nextticket")["assigned"] == 0  # type: ignore[index]
