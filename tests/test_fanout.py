"""Fan-out sharing: one execution per event for subscribers whose answers must be equal,
never across different variables or visibility, and nothing stale on long connections."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import httpx
import websockets

from models.catalog_cache import CatalogCache
from schema.fanout import IdentityMemo
from server.db import database, migrate
from tests.support import TenantFixture, running_server
from tests.ws import Subscription

DETAIL = """
subscription($t: ID!, $withUser: Boolean!) {
  seatEvents(tenantId: $t) {
    sequence kind actor { email }
    user @include(if: $withUser) { email licenses { product { code } } }
  }
}
"""


def test_subscribers_share_an_event_only_when_their_answers_must_be_equal(
    tenant: TenantFixture,
) -> None:
    tenant.set_capacity("nextticket", None)
    tenant.set_capacity("bi_psa", None)
    user = tenant.add_user("shared@acme.example")
    url = tenant.server.ws_url

    async def scenario() -> list[list[dict[str, object]]]:
        async with (
            Subscription(url, tenant.admin.token) as with_user,
            Subscription(url, tenant.admin.token) as twin,
            Subscription(url, tenant.admin.token) as without_user,
            Subscription(url, tenant.operator.token) as operator,
        ):
            await with_user.subscribe({"t": tenant.id, "withUser": True}, DETAIL)
            await twin.subscribe({"withUser": True, "t": tenant.id}, DETAIL)
            await without_user.subscribe({"t": tenant.id, "withUser": False}, DETAIL)
            await operator.subscribe({"t": tenant.id, "withUser": True}, DETAIL)
            await asyncio.sleep(0.5)
            await asyncio.to_thread(tenant.assign, user, "nextticket")
            await asyncio.to_thread(tenant.assign, user, "bi_psa")
            return [await s.events(2) for s in (with_user, twin, without_user, operator)]

    before = tenant.server.stats()
    with_user, twin, without_user, operator = asyncio.run(scenario())
    after = tenant.server.stats()
    # 2 events x 4 subscribers: the twin (same query, same variables in another order,
    # same visibility) reuses with_user's execution; the other two execute their own.
    assert after["fanoutExecuted"] - before["fanoutExecuted"] == 2 * 3
    assert after["fanoutShared"] - before["fanoutShared"] == 2 * 1
    assert twin == with_user
    # Same query text, different variables: not shared.
    assert all("user" not in e for e in without_user)
    assert [e["sequence"] for e in without_user] == [e["sequence"] for e in with_user]
    # Administrator and operator see the same event the same way.
    assert operator == with_user
    # Each event reads the state after its own commit: the second shows both licences.
    first, second = (sorted(p["product"]["code"] for p in e["user"]["licenses"]) for e in with_user)
    assert first == ["nextticket"]
    assert second == ["bi_psa", "nextticket"]


def test_identity_memo_keys_by_the_object_not_by_equality() -> None:
    made: list[object] = []
    memo: IdentityMemo[dict[str, int], str] = IdentityMemo(
        lambda d: made.append(d) or json.dumps(d), maxsize=2
    )
    a, b = {"x": 1}, {"x": 1}
    assert memo(a) == memo(a) == '{"x": 1}'
    assert memo(b) == '{"x": 1}'
    assert made == [a, b]  # equal but distinct objects are separate entries
    memo({"y": 2})  # evicts the oldest entry
    memo(a)
    assert len(made) == 4 and len(memo.entries) == 2


def test_a_cold_catalog_is_read_once_by_concurrent_callers(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'catalog.db'}"
    reads: list[str] = []

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if 'FROM "product"' in record.getMessage():
                reads.append(record.getMessage())

    async def scenario() -> set[str]:
        await migrate(url, progress=False)
        async with database(url):
            logger = logging.getLogger("tortoise.db_client")
            handler, level = Count(), logger.level
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
            try:
                cache = CatalogCache()
                products = await asyncio.gather(*(cache.product_by_id(1) for _ in range(50)))
            finally:
                logger.removeHandler(handler)
                logger.setLevel(level)
        return {p.code for p in products}

    codes = asyncio.run(scenario())
    assert len(codes) == 1
    assert len(reads) == 1


def test_websocket_compression_is_a_setting(tmp_path: Path) -> None:
    async def extensions(ws_url: str) -> str:
        async with websockets.connect(
            ws_url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            compression="deflate",
        ) as ws:
            return str(ws.response.headers.get("Sec-WebSocket-Extensions", ""))

    offered = {}
    for setting in ("false", "true"):
        with running_server(
            "sqlite",
            f"sqlite://{tmp_path / f'ws-{setting}.db'}",
            tmp_path / f"ws-{setting}.log",
            {"SEATGRAPH_WS_COMPRESSION": setting},
        ) as server:
            offered[setting] = asyncio.run(extensions(server.ws_url))
            stats = httpx.get(server.url.replace("/graphql", "/stats?reset=lag")).json()
            assert stats["loopLagMaxMs"] >= 0 and stats["gcPauseMaxMs"] >= 0
    assert offered["false"] == ""
    assert "permessage-deflate" in offered["true"]
