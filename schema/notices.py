"""GraphQL types of in-app notices and outbound delivery channels."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import notices
from models.enums import ChannelKind, DeliveryStatus, SeatEventKind
from schema.relay import Node, to_global_id
from schema.types import SeatEvent

strawberry.enum(ChannelKind)
strawberry.enum(DeliveryStatus)


async def _event(info: strawberry.Info, event_id: int) -> SeatEvent:
    row = await info.context.loaders.event.load(event_id)
    assert row is not None  # events are never deleted while a notice refers to them
    return SeatEvent.from_row(row)


@strawberry.type
class Notification(Node):
    row: strawberry.Private[notices.Notification]
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def from_row(cls, row: notices.Notification) -> Notification:
        return cls(
            row=row,
            id=to_global_id("Notification", row.id),
            title=row.title,
            body=row.body,
            created_at=row.created_at,
            read_at=row.read_at,
        )

    @strawberry.field
    async def event(self, info: strawberry.Info) -> SeatEvent:
        return await _event(info, self.row.event_id)


@strawberry.type(description="Where a tenant's events are sent: e-mail, webhook, Slack, Teams.")
class DeliveryChannel(Node):
    row: strawberry.Private[notices.DeliveryChannel]
    kind: ChannelKind
    url: str | None
    recipients: list[str] = strawberry.field(
        description="E-mail channels: addresses besides the tenant's administrators."
    )
    kinds: list[SeatEventKind] = strawberry.field(
        description="Event kinds sent; empty means the default (webhooks: all; others: notices)."
    )
    enabled: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: notices.DeliveryChannel) -> DeliveryChannel:
        email = row.kind is ChannelKind.EMAIL
        return cls(
            row=row,
            id=to_global_id("DeliveryChannel", row.id),
            kind=row.kind,
            url=None if email else row.target,
            recipients=[r for r in row.target.split(",") if r] if email else [],
            kinds=[SeatEventKind(k) for k in row.kinds],
            enabled=row.enabled,
            created_at=row.created_at,
        )


@strawberry.type(description="One event sent (or being sent) on one channel.")
class Delivery(Node):
    row: strawberry.Private[notices.Delivery]
    status: DeliveryStatus
    attempts: int
    last_response_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: notices.Delivery) -> Delivery:
        waiting = row.status is DeliveryStatus.PENDING
        return cls(
            row=row,
            id=to_global_id("Delivery", row.id),
            status=row.status,
            attempts=row.attempts,
            last_response_code=row.last_response_code,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at if waiting else None,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
        )

    @strawberry.field
    async def channel(self, info: strawberry.Info) -> DeliveryChannel:
        row = await info.context.loaders.channel.load(self.row.channel_id)
        assert row is not None  # deliveries go with their channel
        return DeliveryChannel.from_row(row)

    @strawberry.field
    async def event(self, info: strawberry.Info) -> SeatEvent:
        return await _event(info, self.row.event_id)
