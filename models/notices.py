"""In-app notices and queued outbound deliveries, written in the event's transaction.

Each event an administrator should see becomes a Notification. Each enabled delivery
channel of the tenant that wants the event's kind gets a Delivery row (the outbox a
worker in ``notifications/delivery.py`` sends from): nothing is sent before commit and
nothing committed is lost.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tortoise import fields
from tortoise.models import Model
from tortoise.timezone import now

from models.auth import Actor
from models.enums import ChannelKind, DeliveryStatus, SeatEventKind
from models.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from models.events import SeatEvent
    from models.tenancy import Tenant

NOTICE_KINDS = {
    SeatEventKind.SEATS_ADJUSTED: "Seats adjusted",
    SeatEventKind.POOL_OVER_ALLOCATED: "Pool over-allocated",
    SeatEventKind.SUBSCRIPTION_CREATED: "Subscription started",
    SeatEventKind.SUBSCRIPTION_CANCELLED: "Subscription cancelled",
    SeatEventKind.BOOKING_PAGES_DISABLED: "Booking pages disabled",
    SeatEventKind.PLAN_CHANGED: "Plan changed",
}


class Notification(Model):
    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="notifications", on_delete=fields.CASCADE
    )
    tenant_id: int
    event: fields.ForeignKeyRelation[SeatEvent] = fields.ForeignKeyField(
        "models.SeatEvent", related_name="notifications", on_delete=fields.CASCADE
    )
    event_id: int
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        indexes = (("tenant_id", "read_at"),)


class DeliveryChannel(Model):
    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="delivery_channels", on_delete=fields.CASCADE
    )
    tenant_id: int
    kind = fields.CharEnumField(ChannelKind, max_length=16)
    # Webhook URL; for EMAIL, extra recipients (comma-separated) besides the administrators.
    target = fields.CharField(max_length=2000, default="")
    # HMAC key of generic webhooks; returned once, when the channel is created.
    secret = fields.CharField(max_length=100, null=True)
    kinds: list[str] = fields.JSONField(default=list)
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "delivery_channel"

    def wants(self, kind: SeatEventKind) -> bool:
        if self.kinds:
            return kind.value in self.kinds
        # By default integrators' webhooks get everything, people get the notices.
        return self.kind is ChannelKind.WEBHOOK or kind in NOTICE_KINDS


class Delivery(Model):
    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="deliveries", on_delete=fields.CASCADE
    )
    tenant_id: int
    channel: fields.ForeignKeyRelation[DeliveryChannel] = fields.ForeignKeyField(
        "models.DeliveryChannel", related_name="deliveries", on_delete=fields.CASCADE
    )
    channel_id: int
    event: fields.ForeignKeyRelation[SeatEvent] = fields.ForeignKeyField(
        "models.SeatEvent", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id: int
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    # Lease of the worker that claimed it; an expired lease may be claimed again.
    claimed_until = fields.DatetimeField(null=True)
    last_response_code = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "delivery"
        indexes = (("status", "next_attempt_at"), ("tenant_id", "id"))


async def on_event(event: SeatEvent, cache: dict[Any, Any]) -> None:
    """Notice and deliveries for a just-written event, in its transaction. ``cache``
    lives as long as the transaction (channels are read once per tenant)."""
    title = NOTICE_KINDS.get(event.kind)
    if title is not None:
        await Notification.create(
            tenant_id=event.tenant_id, event_id=event.id, title=title, body=event.message
        )
    key = ("channels", event.tenant_id)
    if key not in cache:
        cache[key] = await DeliveryChannel.filter(tenant_id=event.tenant_id, enabled=True)
    channels: list[DeliveryChannel] = cache[key]
    wanted = [c for c in channels if c.wants(event.kind)]
    if wanted:
        moment = now()
        await Delivery.bulk_create(
            [
                Delivery(
                    tenant_id=event.tenant_id,
                    channel_id=c.id,
                    event_id=event.id,
                    next_attempt_at=moment,
                )
                for c in wanted
            ]
        )


async def mark_all_read(*, actor: Actor, tenant: Tenant) -> int:
    """Mark every unread notice of the tenant read; returns how many changed.
    Raises NotFound, Forbidden."""
    actor.require_admin_of(tenant.id, field=("input", "tenantId"))
    return await Notification.filter(tenant_id=tenant.id, read_at__isnull=True).update(
        read_at=now()
    )


MAX_MARK = 1000


async def mark_read(*, actor: Actor, ids: list[int]) -> int:
    """Mark these notices (all of one tenant) read; returns how many changed. Raises
    InvalidInput, NotFound (unknown ids or another tenant's), Forbidden."""
    fld = ("input", "notificationIds")
    if not ids:
        raise InvalidInput("Give notificationIds, or all: true.", field=fld)
    if len(ids) > MAX_MARK:
        raise InvalidInput(f"At most {MAX_MARK} notificationIds at once; use all: true.", field=fld)
    tenants: set[Any] = set(
        await Notification.filter(id__in=ids).values_list("tenant_id", flat=True)
    )
    if len(tenants) != 1:
        raise NotFound("No such notifications.", field=fld)
    tenant_id = int(tenants.pop())
    actor.require_admin_of(tenant_id, field=fld)
    return await Notification.filter(tenant_id=tenant_id, id__in=ids, read_at__isnull=True).update(
        read_at=now()
    )


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise InvalidInput("url must be an http:// or https:// URL.", field=("input", "url"))
    return url


async def create_channel(
    *,
    actor: Actor,
    tenant: Tenant,
    kind: ChannelKind,
    url: str | None,
    recipients: list[str] | None,
    kinds: list[SeatEventKind] | None,
) -> tuple[DeliveryChannel, str | None]:
    """Add a delivery channel; returns it and, for generic webhooks, the signing secret
    (shown this once). Raises NotFound, Forbidden, InvalidInput."""
    from models.users import clean_email

    actor.require_admin_of(tenant.id, field=("input", "tenantId"))
    secret = None
    if len(recipients or []) > 20 or len(kinds or []) > len(SeatEventKind):
        raise InvalidInput("At most 20 recipients.", field=("input", "recipients"))
    if kind is ChannelKind.EMAIL:
        if url:
            raise InvalidInput(
                "E-mail channels take recipients, not a url.", field=("input", "url")
            )
        target = ",".join(clean_email(r, ("input", "recipients")) for r in recipients or [])
    else:
        if not url:
            raise InvalidInput(f"A {kind.value} channel needs a url.", field=("input", "url"))
        target = _check_url(url)
        if kind is ChannelKind.WEBHOOK:
            secret = "whsec_" + secrets.token_urlsafe(32)
    channel = await DeliveryChannel.create(
        tenant_id=tenant.id,
        kind=kind,
        target=target,
        secret=secret,
        kinds=[k.value for k in kinds or []],
    )
    return channel, secret


async def delete_channel(*, actor: Actor, channel: DeliveryChannel) -> None:
    actor.require_admin_of(channel.tenant_id, field=("input", "channelId"))
    await DeliveryChannel.filter(id=channel.id).delete()


async def redeliver(*, actor: Actor, delivery: Delivery) -> Delivery:
    """Queue the delivery's event again on its channel, as a new delivery (the log keeps
    the old one). Raises NotFound, Forbidden."""
    actor.require_admin_of(delivery.tenant_id, field=("input", "deliveryId"))
    if not await DeliveryChannel.exists(id=delivery.channel_id):
        raise NotFound("The channel was deleted.", field=("input", "deliveryId"))
    return await Delivery.create(
        tenant_id=delivery.tenant_id,
        channel_id=delivery.channel_id,
        event_id=delivery.event_id,
        next_attempt_at=now(),
    )
