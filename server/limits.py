"""Abuse limits: per-token rate limiting with query cost, and request body size.

Cost (GitHub/Shopify style): 1 per query plus 1 per 100 requested nodes (`first`, 20
when omitted on a connection), 10 per mutation field. Each token (or client address when
anonymous) has a bucket of SEATGRAPH_RATE_LIMIT points refilled over a minute, per
process. Every answer reports `extensions.cost`; an empty bucket answers THROTTLED.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

CONNECTION_DEFAULT = 20
# Relay connection fields of the schema: without `first` they return 20 nodes.
CONNECTION_FIELDS = {
    "tenants",
    "users",
    "licenses",
    "bookingPages",
    "events",
    "notifications",
    "deliveries",
    "provisionRequests",
}


def _requested(selection: SelectionSetNode | None, variables: dict[str, Any]) -> int:
    if selection is None:
        return 0
    total = 0
    for node in selection.selections:
        if isinstance(node, FieldNode) and node.name.value in CONNECTION_FIELDS:
            value: Any = CONNECTION_DEFAULT
            for arg in node.arguments or ():
                if arg.name.value == "first":
                    if isinstance(arg.value, IntValueNode):
                        value = int(arg.value.value)
                    elif isinstance(arg.value, VariableNode):
                        value = variables.get(arg.value.name.value, CONNECTION_DEFAULT)
            total += min(value, 100) if isinstance(value, int) else CONNECTION_DEFAULT
        total += _requested(getattr(node, "selection_set", None), variables)
    return total


def estimate_cost(document: DocumentNode, variables: dict[str, Any], name: str | None) -> int:
    for op in document.definitions:
        if isinstance(op, OperationDefinitionNode) and (
            name is None or (op.name and op.name.value == name)
        ):
            if op.operation is OperationType.MUTATION:
                return 10 * len(op.selection_set.selections)
            return 1 + math.ceil(_requested(op.selection_set, variables) / 100)
    return 1


class Buckets:
    """Token buckets per caller, bounded in number (least recently used dropped)."""

    def __init__(self, per_minute: int, max_callers: int = 100_000) -> None:
        self.capacity = per_minute
        self.rate = per_minute / 60.0
        self.max_callers = max_callers
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, cost: int) -> tuple[bool, float, float]:
        """(allowed, remaining, seconds until the cost would be available)."""
        now = time.monotonic()
        points, at = self._state.pop(key, (float(self.capacity), now))
        points = min(self.capacity, points + (now - at) * self.rate)
        allowed = points >= cost
        if allowed:
            points -= cost
        self._state[key] = (points, now)
        if len(self._state) > self.max_callers:
            self._state.popitem(last=False)
        wait = 0.0 if allowed else (cost - points) / self.rate
        return allowed, points, wait


def rate_limiter(buckets: Buckets) -> type[SchemaExtension]:
    class RateLimiter(SchemaExtension):
        cost: dict[str, Any] | None = None

        def on_execute(self) -> Iterator[None]:
            ctx = self.execution_context
            if ctx.graphql_document is not None:
                context = ctx.context
                actor = getattr(context, "actor", None)
                request = getattr(context, "request", None)
                client = getattr(request, "client", None)
                if actor is not None:
                    key = f"user:{actor.user_id}" if actor.user_id else "operator"
                else:
                    key = f"addr:{client.host if client else '-'}"
                cost = estimate_cost(ctx.graphql_document, ctx.variables or {}, ctx.operation_name)
                allowed, remaining, wait = buckets.take(key, cost)
                self.cost = {
                    "requestedQueryCost": cost,
                    "throttleStatus": {
                        "maximumAvailable": buckets.capacity,
                        "currentlyAvailable": int(remaining),
                        "restoreRate": round(buckets.rate, 2),
                    },
                }
                if not allowed:
                    raise GraphQLError(
                        f"Rate limit exceeded: this request costs {cost} points; retry in "
                        f"{math.ceil(wait)} s.",
                        extensions={"code": "THROTTLED", "retryAfter": math.ceil(wait)},
                    )
            yield

        def get_results(self) -> dict[str, Any]:
            return {"cost": self.cost} if self.cost else {}

    return RateLimiter


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes (413), counting what actually arrives."""

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.upload_limit if multipart else self.limit
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send, limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = (
        b'{"errors":[{"message":"Request body larger than %d bytes.",'
        b'"extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}' % limit
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
