"""Mutations on in-app notices and delivery channels."""

from __future__ import annotations

import strawberry

from models import notices
from models.errors import DomainError, InvalidInput
from models.events import run_use_case
from models.notices import Delivery as DeliveryRow
from models.notices import DeliveryChannel as ChannelRow
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
            return await notices.mark_all_read(actor=actor, tenant=tenant)
        field = ("input", "notificationIds")
        given = (input.notification_ids or [])[: notices.MAX_MARK + 1]  # decode no more
        return await notices.mark_read(
            actor=actor, ids=[ids.decode(i, "Notification", field) for i in given]
        )

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
