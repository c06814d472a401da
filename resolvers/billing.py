"""Subscription mutations and the operators' provisioning log."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from models import billing
from models.billing import PlanSubscription as SubscriptionRow
from models.errors import DomainError
from models.marketplace import ProvisionRequest as ProvisionRow
from models.queries import keyset_page
from models.seats import SeatPool as SeatPoolRow
from models.tenancy import Tenant as TenantRow
from resolvers import ids
from resolvers.errors import user_errors
from resolvers.licenses import seat_change
from schema.billing import PlanSubscription, ProvisionRequest
from schema.inputs import (
    AllocateSeatsInput,
    CancelSubscriptionInput,
    ChangePlanInput,
    CreateSubscriptionInput,
    SeatAllocationInput,
)
from schema.payloads import (
    AllocateSeatsPayload,
    CancelSubscriptionPayload,
    ChangePlanPayload,
    CreateSubscriptionPayload,
)
from schema.relay import Connection, from_page
from schema.types import SeatPool, page_args


def _allocations(items: list[SeatAllocationInput] | None) -> dict[str, int] | None:
    if items is None:
        return None
    return billing.allocation_map([(a.product, a.seats) for a in items])


async def _load_subscription(d: dict[str, Any]) -> SubscriptionRow:
    return await SubscriptionRow.get(id=d["subscription"])


def _encode(row: SubscriptionRow) -> dict[str, Any]:
    return {"subscription": row.id}


async def create_subscription(
    info: strawberry.Info, input: CreateSubscriptionInput
) -> CreateSubscriptionPayload:
    actor = info.context.require_actor()

    async def op() -> SubscriptionRow:
        tenant = await ids.load(TenantRow, input.tenant_id, ("input", "tenantId"))
        return await billing.create_subscription(
            origin=billing.Origin.of(actor),
            tenant=tenant,
            plan_code=input.plan,
            quantity=input.quantity,
            allocations=_allocations(input.allocations),
            accept_terms=bool(input.accept_terms),
        )

    try:
        row, uow = await seat_change(
            actor, input, "createSubscription", op, encode=_encode, decode=_load_subscription
        )
    except DomainError as exc:
        return CreateSubscriptionPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return CreateSubscriptionPayload(subscription=PlanSubscription.from_row(row))


async def change_plan(info: strawberry.Info, input: ChangePlanInput) -> ChangePlanPayload:
    actor = info.context.require_actor()

    async def op() -> SubscriptionRow:
        row = await ids.load(SubscriptionRow, input.subscription_id, ("input", "subscriptionId"))
        return await billing.change_plan(
            origin=billing.Origin.of(actor), subscription=row, plan_code=input.plan
        )

    try:
        row, uow = await seat_change(
            actor, input, "changePlan", op, encode=_encode, decode=_load_subscription
        )
    except DomainError as exc:
        return ChangePlanPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return ChangePlanPayload(subscription=PlanSubscription.from_row(row))


async def cancel_subscription(
    info: strawberry.Info, input: CancelSubscriptionInput
) -> CancelSubscriptionPayload:
    actor = info.context.require_actor()

    async def op() -> SubscriptionRow:
        row = await ids.load(SubscriptionRow, input.subscription_id, ("input", "subscriptionId"))
        return await billing.cancel_subscription(origin=billing.Origin.of(actor), subscription=row)

    try:
        row, uow = await seat_change(
            actor, input, "cancelSubscription", op, encode=_encode, decode=_load_subscription
        )
    except DomainError as exc:
        return CancelSubscriptionPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return CancelSubscriptionPayload(subscription=PlanSubscription.from_row(row))


async def allocate_seats(info: strawberry.Info, input: AllocateSeatsInput) -> AllocateSeatsPayload:
    actor = info.context.require_actor()

    async def op() -> tuple[SubscriptionRow, list[SeatPoolRow]]:
        row = await ids.load(SubscriptionRow, input.subscription_id, ("input", "subscriptionId"))
        return await billing.allocate_seats(
            actor=actor, subscription=row, allocations=_allocations(input.allocations) or {}
        )

    async def decode(d: dict[str, Any]) -> tuple[SubscriptionRow, list[SeatPoolRow]]:
        pools = await SeatPoolRow.filter(id__in=d["pools"]).order_by("id")
        return await _load_subscription(d), list(pools)

    try:
        (row, pools), uow = await seat_change(
            actor,
            input,
            "allocateSeats",
            op,
            encode=lambda r: {"subscription": r[0].id, "pools": [p.id for p in r[1]]},
            decode=decode,
        )
    except DomainError as exc:
        return AllocateSeatsPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return AllocateSeatsPayload(
        subscription=PlanSubscription.from_row(row),
        seat_pools=[SeatPool.from_row(p) for p in pools],
    )


async def provision_requests(
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    partner: str | None = None,
) -> Connection[ProvisionRequest]:
    actor = info.context.require_actor()
    if not actor.is_operator:
        raise GraphQLError(
            "Only operators see provisioning requests.", extensions={"code": "FORBIDDEN"}
        )
    size, position = page_args(first, after)
    query = ProvisionRow.all() if partner is None else ProvisionRow.filter(partner=partner)
    page = await keyset_page(query, first=size, after=position, descending=True)
    return from_page(page, ProvisionRequest.from_row)
