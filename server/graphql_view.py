"""The GraphQL endpoint: Strawberry's ASGI view with our context and authentication."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from models.auth import authenticate
from notifications.delivery import DeliveryWorker
from notifications.relay import EventRelay
from resolvers.context import Context
from resolvers.loaders import Loaders


def bearer(value: object) -> str:
    """The token in ``Bearer <token>`` (or a bare token), else ''."""
    if not isinstance(value, str):
        return ""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    return "" if token else scheme


class SeatgraphGraphQL(GraphQL[Context, None]):
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
