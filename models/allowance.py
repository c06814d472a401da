"""User allowance: in BY_STATUS pools (e.g. crm_user), every ACTIVE or LOCKED user holds
a seat. The seat is a licence like any other, granted and released by status changes
through the same guarded seat counter as explicit assignment."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F

from models.auth import Actor
from models.catalog import Product
from models.catalog_cache import catalog
from models.enums import AssignmentMode
from models.licensing import assigned_values, grant, record_assigned, take_available_license
from models.seats import License, SeatPool
from models.tenancy import User


async def allowance_pools(tenant_id: int) -> list[tuple[SeatPool, Product]]:
    pools = await SeatPool.filter(tenant_id=tenant_id).order_by("id")
    out = []
    for pool in pools:
        product = await catalog.product_by_id(pool.product_id)
        if product.assignment is AssignmentMode.BY_STATUS:
            out.append((pool, product))
    return out


async def grant_allowance(
    *, actor: Actor, user: User, increase_capacity: bool = False, accept_terms: bool = False
) -> None:
    """Give a user who became ACTIVE or LOCKED a seat of each of the tenant's BY_STATUS
    pools. Raises SeatLimitReached (unless ``increase_capacity`` with ``accept_terms``,
    which buy exactly one seat), TermsNotAccepted, PoolOverAllocated."""
    if not user.status.licensable:
        return
    for _, product in await allowance_pools(user.tenant_id):
        if await License.exists(assignee_id=user.id, product_id=product.id):
            continue
        await grant(
            actor=actor,
            user=user,
            product=product,
            increase_capacity=increase_capacity,
            accept_terms=accept_terms,
        )


async def seat_existing_users(*, actor: Actor, pool: SeatPool, product: Product) -> SeatPool:
    """A new BY_STATUS pool: every ACTIVE or LOCKED user of the tenant takes a seat, even
    beyond capacity (the pool is then over-allocated; nobody loses access)."""
    holders: set[Any] = set(
        await License.filter(pool_id=pool.id, assignee_id__not_isnull=True).values_list(
            "assignee_id", flat=True
        )
    )
    users = await User.filter(tenant_id=pool.tenant_id).order_by("id")
    for user in users:
        if user.status.licensable and user.id not in holders:
            await _force_grant(actor, user, pool, product)
    return await SeatPool.get(id=pool.id)


async def _force_grant(actor: Actor, user: User, pool: SeatPool, product: Product) -> None:
    await SeatPool.filter(id=pool.id).update(assigned=F("assigned") + 1)
    fresh = await SeatPool.get(id=pool.id)
    row = await take_available_license(fresh, product, assigned_values(user, None))
    await record_assigned(actor, user, product, fresh, row)
