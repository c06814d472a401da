"""Root query fields."""

from __future__ import annotations

import asyncio

import strawberry
from graphql import GraphQLError

from models.auth import Actor
from models.catalog_cache import catalog
from models.events import SeatEvent as SeatEventRow
from models.queries import keyset_page, tenants_query
from models.seats import License as LicenseRow
from models.seats import SeatPool as SeatPoolRow
from schema.common import Plan, Product
from schema.relay import Connection, Node, from_global_id, from_page
from schema.types import (
    BookingPage,
    License,
    SeatEvent,
    SeatPool,
    Tenant,
    User,
    Viewer,
    page_args,
)


def _license_visible(actor: Actor, row: LicenseRow, base: LicenseRow | None) -> bool:
    if actor.can_manage_tenant(row.tenant_id):
        return True
    holder = base.assignee_id if base is not None else row.assignee_id
    return actor.user_id is not None and holder == actor.user_id


async def _node(info: strawberry.Info, actor: Actor, global_id: str) -> Node | None:
    decoded = from_global_id(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    loaders = info.context.loaders
    if type_name == "Tenant":
        tenant = await loaders.tenant.load(pk)
        return Tenant.from_row(tenant) if tenant and actor.can_see_tenant(tenant.id) else None
    if type_name == "User":
        user = await loaders.user.load(pk)
        return User.from_row(user) if user and actor.can_see_user(user) else None
    if type_name == "SeatPool":
        pool = await SeatPoolRow.get_or_none(id=pk)
        return SeatPool.from_row(pool) if pool and actor.can_see_tenant(pool.tenant_id) else None
    if type_name == "License":
        lic = await loaders.license.load(pk)
        if lic is None:
            return None
        base = await loaders.license.load(lic.base_id) if lic.base_id else None
        return License.from_row(lic) if _license_visible(actor, lic, base) else None
    if type_name == "BookingPage":
        page = await loaders.booking_page.load(pk)
        if page and (actor.can_manage_tenant(page.tenant_id) or actor.user_id == page.owner_id):
            return BookingPage.from_row(page)
        return None
    if type_name == "PlanSubscription":
        from models.billing import PlanSubscription as Row
        from schema.billing import PlanSubscription

        sub = await Row.get_or_none(id=pk)
        if sub and actor.can_manage_tenant(sub.tenant_id):
            return PlanSubscription.from_row(sub)
        return None
    if type_name in ("Notification", "DeliveryChannel", "Delivery"):
        return await _notice_node(actor, type_name, pk)
    if type_name == "SeatEvent":
        event = await SeatEventRow.get_or_none(id=pk)
        if event and actor.can_manage_tenant(event.tenant_id):
            return SeatEvent.from_row(event)
    return None


async def _notice_node(actor: Actor, type_name: str, pk: int) -> Node | None:
    from models import notices as rows
    from schema import notices as types

    if type_name == "Notification":
        notice = await rows.Notification.get_or_none(id=pk)
        if notice and actor.can_manage_tenant(notice.tenant_id):
            return types.Notification.from_row(notice)
    elif type_name == "DeliveryChannel":
        channel = await rows.DeliveryChannel.get_or_none(id=pk)
        if channel and actor.can_manage_tenant(channel.tenant_id):
            return types.DeliveryChannel.from_row(channel)
    else:
        delivery = await rows.Delivery.get_or_none(id=pk)
        if delivery and actor.can_manage_tenant(delivery.tenant_id):
            return types.Delivery.from_row(delivery)
    return None


async def node(info: strawberry.Info, id: strawberry.ID) -> Node | None:
    return await _node(info, info.context.require_actor(), id)


async def nodes(info: strawberry.Info, ids: list[strawberry.ID]) -> list[Node | None]:
    actor = info.context.require_actor()
    if len(ids) > 100:
        raise GraphQLError("At most 100 ids at once.", extensions={"code": "INVALID_INPUT"})
    # concurrently, so that the DataLoaders batch the lookups into one query per type
    return list(await asyncio.gather(*(_node(info, actor, i) for i in ids)))


async def viewer(info: strawberry.Info) -> Viewer:
    actor = info.context.require_actor()
    tenant = actor.tenant  # fetched with the token
    if tenant is None and actor.tenant_id:
        tenant = await info.context.loaders.tenant.load(actor.tenant_id)
    return Viewer(
        is_operator=actor.is_operator,
        user=User.from_row(actor.user) if actor.user else None,
        tenant=Tenant.from_row(tenant) if tenant else None,
        actor_user=actor.user,
    )


async def tenant(info: strawberry.Info, id: strawberry.ID) -> Tenant | None:
    actor = info.context.require_actor()
    decoded = from_global_id(id)
    if decoded is None or decoded[0] != "Tenant" or not actor.can_see_tenant(decoded[1]):
        return None
    row = await info.context.loaders.tenant.load(decoded[1])
    return Tenant.from_row(row) if row else None


async def tenants(
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    search: str | None = None,
) -> Connection[Tenant]:
    actor = info.context.require_actor()
    if not actor.is_operator:
        raise GraphQLError("Only operators list tenants.", extensions={"code": "FORBIDDEN"})
    size, position = page_args(first, after)
    page = await keyset_page(tenants_query(search), first=size, after=position)
    return from_page(page, Tenant.from_row)


async def products(info: strawberry.Info) -> list[Product]:
    info.context.require_actor()
    return [Product.from_row(p) for p in await catalog.products()]


async def plans(info: strawberry.Info) -> list[Plan]:
    info.context.require_actor()
    return [Plan.from_row(p) for p in await catalog.plans()]
