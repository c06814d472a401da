"""Mutations on in-app notices and delivery channels."""

from __future__ import annotations

import strawberry

from models import notices
from models.errors import DomainError, InvalidInput, NotFound
from models.events import run_use_case
from models.notices import Delivery as DeliveryRow
from models.notices import DeliveryChannel as ChannelRow
from models.notices import Notification as NotificationRow
from models.tenancy import Tenant as TenantRow
from resolvers import ids
from resolvers.errors import user_errors
from schema.inputs import (
    CreateDeliveryChannelInput,
    DeleteDeliveryChannelInput,
    MarkNotificationsReadInput,
    RedeliverInput,
)
from schema.notices import Delivery, DeliveryChannel
from schema.payloads import (
    CreateDeliveryChannelPayload,
    DeleteDeliveryChannelPayload,
    MarkNotificationsReadPayload,
    RedeliverPayload,
)
from schema.relay import to_global_id


async def mark_notifications_read(
    info: strawberry.Info, input: MarkNotificationsReadInput
) -> MarkNotificationsReadPayload:
    actor = info.context.require_actor()

    async def op() -> int:
        if input.all:
            if input.tenant_id is not None:
                tenant = await ids.load(TenantRow, input.tenant_id, ("input", "tenantId"))
            elif actor.tenant_id is not None:
                tenant = await TenantRow.get(id=actor.tenant_id)
            else:
                raise InvalidInput("Operators give tenantId with all.", field=("input", "tenantId"))
            return await notices.mark_read(actor=actor, tenant=tenant, ids=None, all=True)
        field = ("input", "notificationIds")
        given = input.notification_ids or []
        if len(given) > 1000:
            raise InvalidInput("At most 1000 notificationIds at once; use all: true.", field=field)
        wanted = [ids.decode(i, "Notification", field) for i in given]
        if not wanted:
            raise InvalidInput("Give notificationIds, or all: true.", field=field)
        tenants = set(
            await NotificationRow.filter(id__in=wanted).values_list("tenant_id", flat=True)
        )
        if len(tenants) != 1:
            raise NotFound("No such notifications.", field=field)
        tenant = await TenantRow.get(id=tenants.pop())
        return await notices.mark_read(actor=actor, tenant=tenant, ids=wanted, all=False)

    try:
        count, _ = await run_use_case(op)
    except DomainError as exc:
        return MarkNotificationsReadPayload(user_errors=user_errors(exc))
    return MarkNotificationsReadPayload(count=count)


async def create_delivery_channel(
    info: strawberry.Info, input: CreateDeliveryChannelInput
) -> CreateDeliveryChannelPayload:
    actor = info.context.require_actor()

    async def op() -> tuple[ChannelRow, str | None]:
        tenant = await ids.load(TenantRow, input.tenant_id, ("input", "tenantId"))
        return await notices.create_channel(
            actor=actor,
            tenant=tenant,
            kind=input.kind,
            url=input.url,
            recipients=input.recipients,
            kinds=input.kinds,
        )

    try:
        (channel, secret), _ = await run_use_case(op)
    except DomainError as exc:
        return CreateDeliveryChannelPayload(user_errors=user_errors(exc))
    return CreateDeliveryChannelPayload(channel=DeliveryChannel.from_row(channel), secret=secret)


async def delete_delivery_channel(
    info: strawberry.Info, input: DeleteDeliveryChannelInput
) -> DeleteDeliveryChannelPayload:
    actor = info.context.require_actor()

    async def op() -> int:
        channel = await ids.load(ChannelRow, input.channel_id, ("input", "channelId"))
        await notices.delete_channel(actor=actor, channel=channel)
        return channel.id

    try:
        channel_id, _ = await run_use_case(op)
    except DomainError as exc:
        return DeleteDeliveryChannelPayload(user_errors=user_errors(exc))
    return DeleteDeliveryChannelPayload(
        deleted_channel_id=to_global_id("DeliveryChannel", channel_id)
    )


async def redeliver(info: strawberry.Info, input: RedeliverInput) -> RedeliverPayload:
    actor = info.context.require_actor()

    async def op() -> DeliveryRow:
        delivery = await ids.load(DeliveryRow, input.delivery_id, ("input", "deliveryId"))
        return await notices.redeliver(actor=actor, delivery=delivery)

    try:
        delivery, _ = await run_use_case(op)
    except DomainError as exc:
        return RedeliverPayload(user_errors=user_errors(exc))
    if info.context.delivery is not None:
        info.context.delivery.wake()
    return RedeliverPayload(delivery=Delivery.from_row(delivery))
