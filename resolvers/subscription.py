"""The seatEvents subscription: authorised per subscription, resumable by cursor."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError

from models.enums import SeatEventKind
from models.tenancy import Tenant as TenantRow
from notifications.relay import SubscriberTooSlow
from notifications.streams import seat_events as stream
from schema.fanout import IdentityMemo
from schema.relay import decode_cursor, encode_cursor, from_global_id
from schema.types import SeatEvent

# Every subscriber of a tenant receives the relay's one row object per event.
_node = IdentityMemo(SeatEvent.from_row)


async def seat_events(
    info: strawberry.Info,
    tenant_id: strawberry.ID,
    after: str | None = None,
    kinds: list[SeatEventKind] | None = None,
) -> AsyncGenerator[SeatEvent, None]:
    actor = info.context.require_actor()
    decoded = from_global_id(tenant_id)
    if decoded is None or decoded[0] != "Tenant" or not actor.can_see_tenant(decoded[1]):
        raise GraphQLError("Tenant not found.", extensions={"code": "NOT_FOUND"})
    if not actor.can_manage_tenant(decoded[1]):
        raise GraphQLError(
            "Only administrators of the tenant and operators receive its seat events.",
            extensions={"code": "FORBIDDEN"},
        )
    if not await TenantRow.exists(id=decoded[1]):
        raise GraphQLError("Tenant not found.", extensions={"code": "NOT_FOUND"})
    position = None
    if after is not None:
        position = decode_cursor(after)
        if position is None:
            raise GraphQLError(
                "`after` is not a valid cursor.", extensions={"code": "INVALID_INPUT"}
            )
    try:
        async for event in stream(
            info.context.relay, tenant_id=decoded[1], after=position, kinds=kinds
        ):
            yield _node(event)
    except SubscriberTooSlow as exc:
        last = encode_cursor(exc.last_sequence) if exc.last_sequence is not None else after
        raise GraphQLError(
            str(exc), extensions={"code": "SUBSCRIBER_TOO_SLOW", "lastCursor": last}
        ) from None
