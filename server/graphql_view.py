"""The GraphQL endpoint: Strawberry's ASGI view with our context and authentication."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.types.unset import UnsetType

from models.auth import authenticate
from notifications.delivery import DeliveryWorker
from notifications.relay import EventRelay
from resolvers.context import Context
from resolvers.loaders import Loaders
from schema.fanout import IdentityMemo


def bearer(value: object) -> str:
    """The token in ``Bearer <token>`` (or a bare token), else ''."""
    if not isinstance(value, str):
        return ""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    return "" if token else scheme


def _encode_payload(data: object) -> str:
    return json.dumps({"data": data}, separators=(",", ":"))


# Subscribers that share an event's execution (``schema.fanout``) share its data dict,
# so the payload is encoded once; each message splices its operation id in. Small: an
# event reaches all its subscribers before many others pass, and the memo holds on to
# the payloads it has seen (a query run over the WebSocket included) until evicted.
encoded_once = IdentityMemo(_encode_payload, maxsize=64)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with ``next`` messages encoded once per shared event."""

    websocket: AsyncWebSocketAdapter

    async def send_message(self, message: Message) -> None:
        payload: Any = message.get("payload")
        adapter = self.websocket
        if (
            message["type"] != "next"
            or not isinstance(adapter, ASGIWebSocketAdapter)
            or set(payload) != {"data"}
            or not isinstance(payload["data"], dict)
        ):
            await super().send_message(message)
            return
        text = (
            f'{{"id":{json.dumps(message["id"])},"type":"next",'
            f'"payload":{encoded_once(payload["data"])}}}'
        )
        try:
            await adapter.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class SeatgraphGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        *args: Any,
        relay: EventRelay,
        delivery: DeliveryWorker,
        operator_token: str | None,
        max_connections_per_token: int = 100,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.relay = relay
        self.delivery = delivery
        self.operator_token = operator_token
        self.max_connections_per_token = max_connections_per_token
        self.connections: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            key = scope.get("seatgraph_connection_key")
            if key is not None:  # the WebSocket is gone: release its slot
                left = self.connections.get(key, 1) - 1
                if left > 0:
                    self.connections[key] = left
                else:
                    self.connections.pop(key, None)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        is_ws = isinstance(request, WebSocket)
        context = Context(
            relay=self.relay,
            delivery=self.delivery,
            request=request,
            response=response,
            loaders=Loaders(cache=not is_ws),
        )
        supplied = request.headers.get("x-request-id", "")
        if supplied and len(supplied) <= 64 and supplied.replace("-", "").isalnum():
            context.request_id = supplied
        if not is_ws:
            context.actor = await self._authenticate(request, None)
            if isinstance(response, Response):
                response.headers["X-Request-Id"] = context.request_id
        return context

    async def _authenticate(self, conn: HTTPConnection, params: dict[str, Any] | None) -> Any:
        token = ""
        if params:
            for key in ("Authorization", "authorization", "authToken", "token"):
                token = bearer(params.get(key))
                if token:
                    break
        if not token:
            token = bearer(conn.headers.get("authorization", ""))
        return await authenticate(token, operator_token=self.operator_token) if token else None

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        actor = await self._authenticate(context.request, context.connection_params)
        if actor is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        key = "operator" if actor.is_operator else f"user:{actor.user_id}"
        if self.connections.get(key, 0) >= self.max_connections_per_token:
            raise ConnectionRejectionError({"code": "TOO_MANY_CONNECTIONS"})
        self.connections[key] = self.connections.get(key, 0) + 1
        context.request.scope["seatgraph_connection_key"] = key
        context.actor = actor
        return await super().on_ws_connect(context)
