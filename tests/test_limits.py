"""Abuse limits: rate limiting with cost, body size, tokens, connections, introspection."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.support import Server, TenantFixture, new_tenant, running_server
from tests.ws import Subscription


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp: Path = tmp_path_factory.mktemp("strict")
    env = {
        "SEATGRAPH_RATE_LIMIT": "200",
        "SEATGRAPH_MAX_BODY_BYTES": "4096",
        "SEATGRAPH_MAX_TOKENS": "300",
        "SEATGRAPH_MAX_CONNECTIONS_PER_TOKEN": "2",
        "SEATGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION": "1",
        "SEATGRAPH_INTROSPECTION": "false",
        "SEATGRAPH_GRAPHIQL": "false",
    }
    with running_server(
        "sqlite", f"sqlite://{tmp / 'strict.db'}", tmp / "server.log", env
    ) as server:
        yield server


def test_cost_is_reported_and_an_empty_bucket_is_throttled(strict: Server) -> None:
    tenant = new_tenant(strict)  # 5 mutations x 10 points from the operator's 200
    api = tenant.admin
    body = api.raw(
        "query($t: ID!) { tenant(id: $t) { licenses(first: 100) { totalCount } users { totalCount } } }",
        {"t": tenant.id},
    )
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 3  # 1 + ceil((100 + 20) / 100)
    assert cost["throttleStatus"]["maximumAvailable"] == 200
    codes = []
    for _ in range(40):
        answer = api.raw('mutation { createTenant(input: {name: "x"}) { userErrors { code } } }')
        if answer.get("errors"):
            codes.append(answer["errors"][0]["extensions"]["code"])
            assert answer["errors"][0]["extensions"]["retryAfter"] >= 1
            break
    assert codes == ["THROTTLED"]


def test_large_bodies_are_refused(strict: Server) -> None:
    response = httpx.post(
        strict.url,
        content=b'{"query": "' + b" " * 5000 + b'{ __typename }"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_too_many_tokens_and_introspection_off(strict: Server) -> None:
    many = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
    body = httpx.post(strict.url, json={"query": many}).json()
    assert "token" in body["errors"][0]["message"].lower()
    intro = httpx.post(strict.url, json={"query": "{ __schema { queryType { name } } }"}).json()
    assert intro.get("data") is None and "introspection" in intro["errors"][0]["message"].lower()
    assert httpx.get(strict.url, headers={"Accept": "text/html"}).status_code != 200


def test_connections_per_token_and_subscriptions_per_connection(strict: Server) -> None:
    tenant = new_tenant(strict, "Conn")

    async def go() -> None:
        async with (
            Subscription(strict.ws_url, tenant.admin.token),
            Subscription(strict.ws_url, tenant.admin.token),
        ):
            with pytest.raises(websockets.ConnectionClosed) as closed:
                async with Subscription(strict.ws_url, tenant.admin.token) as third:
                    await third.receive()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        # the slots are released: a new connection works, and holds one subscription
        async with Subscription(strict.ws_url, tenant.admin.token) as sub:
            await sub.subscribe({"tenantId": tenant.id}, op_id="1")
            await sub.subscribe({"tenantId": tenant.id}, op_id="2")
            refused = await sub.receive(timeout=5)
            assert refused["id"] == "2" and refused["type"] == "error"
            assert refused["payload"][0]["message"] == "Subscription limit reached"

    asyncio.run(go())


def test_input_lists_are_bounded(tenant: TenantFixture) -> None:
    too_many = [{"product": "bi_psa", "seats": 1}] * 101
    payload = tenant.admin.mutate(
        "allocateSeats",
        {"subscriptionId": "UGxhblN1YnNjcmlwdGlvbjox", "allocations": too_many},
        "subscription { id }",
    )
    assert payload["userErrors"][0]["code"] in ("INVALID_INPUT", "NOT_FOUND")
    ids = ["Tm90aWZpY2F0aW9uOjE"] * 1001
    marked = tenant.admin.mutate("markNotificationsRead", {"notificationIds": ids}, "count")
    assert marked["userErrors"][0]["code"] == "INVALID_INPUT"
    nodes = tenant.admin.raw("query($i: [ID!]!) { nodes(ids: $i) { id } }", {"i": ["x"] * 101})
    assert nodes["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
