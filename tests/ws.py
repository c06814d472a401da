"""A minimal GraphQL-over-WebSocket client for tests (both protocols)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

SEAT_EVENTS = """
subscription($tenantId: ID!, $after: String, $kinds: [SeatEventKind!]) {
  seatEvents(tenantId: $tenantId, after: $after, kinds: $kinds) {
    cursor sequence kind source message product delta
    pool { product capacity assigned available }
    actor { email } user { email } license { uuid }
  }
}
"""


class Subscription:
    def __init__(self, url: str, token: str | None, *, legacy: bool = False) -> None:
        self.url = url
        self.token = token
        self.legacy = legacy
        self.ws: Any = None

    async def __aenter__(self) -> Subscription:
        protocol = "graphql-ws" if self.legacy else "graphql-transport-ws"
        self.ws = await websockets.connect(self.url, subprotocols=[protocol])  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        await self.ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def subscribe(
        self, variables: dict[str, Any], query: str = SEAT_EVENTS, op_id: str = "1"
    ) -> None:
        kind = "start" if self.legacy else "subscribe"
        await self.ws.send(
            json.dumps(
                {"id": op_id, "type": kind, "payload": {"query": query, "variables": variables}}
            )
        )

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        """The next message for an operation (pings and keep-alives skipped)."""
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] in ("ping", "pong", "ka"):
                continue
            return message

    async def events(self, n: int, timeout: float = 10) -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            message = await self.receive(timeout)
            assert message["type"] in ("next", "data"), message
            assert "errors" not in message["payload"], message
            out.append(message["payload"]["data"]["seatEvents"])
        return out

    async def nothing_for(self, seconds: float) -> None:
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")
