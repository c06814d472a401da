"""Seat capacity changes: who may change it, over-allocation, licence materialisation."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.allowance import seat_existing_users
from models.auth import OPERATOR, Actor
from models.catalog import Product
from models.catalog_cache import catalog
from models.enums import (
    AssignmentMode,
    ChangeSource,
    LicenseState,
    SeatEventKind,
    SubscriptionSource,
    SubscriptionStatus,
)
from models.errors import (
    DecreaseRequiresAccountManager,
    InvalidInput,
    ManagedByMarketplace,
    TermsNotAccepted,
)
from models.events import pool_snapshot, record_event, seat_phrase
from models.seats import License, SeatPool
from models.tenancy import Tenant

MAX_CAPACITY = 1_000_000


async def sync_pool_licenses(pool: SeatPool, product: Product) -> None:
    """Keep max(capacity, assigned) live licences in a limited pool.

    Bought seats appear as AVAILABLE licences with their own UUIDs; removed seats
    terminate AVAILABLE licences, unconfigured and newest first. Unlimited pools create
    licences on demand instead.
    """
    if pool.capacity is None:
        return
    target = max(pool.capacity, pool.assigned)
    live = await License.filter(pool_id=pool.id).exclude(state=LicenseState.TERMINATED).count()
    if live < target:
        await License.bulk_create(
            [
                License(
                    uuid=uuid.uuid4(),
                    tenant_id=pool.tenant_id,
                    pool_id=pool.id,
                    product_id=product.id,
                    state=LicenseState.AVAILABLE,
                )
                for _ in range(target - live)
            ]
        )
    elif live > target:
        surplus = (
            await License.filter(pool_id=pool.id, state=LicenseState.AVAILABLE)
            .order_by("-id")
            .values_list("id", "extension", "base_id")
        )
        # unconfigured first, so extensions and numbers survive a decrease where possible
        surplus.sort(key=lambda r: r[1] is not None)
        ids = [r[0] for r in surplus[: live - target]]
        if ids:
            await License.filter(id__in=ids).update(state=LicenseState.TERMINATED)


async def adjust_seat_capacity(
    *,
    actor: Actor,
    tenant: Tenant,
    product_code: str,
    capacity: int | None,
    unlimited: bool = False,
    accept_terms: bool = False,
) -> SeatPool:
    """Set the purchased seats of the tenant's pool (created when missing).

    Administrators may only increase, with ``accept_terms``; decreasing and making a
    pool unlimited need an operator. A decrease below the assigned count unassigns
    nobody: the pool is over-allocated (assignment refused until resolved) and a
    POOL_OVER_ALLOCATED event is written. Raises NotFound, Forbidden, InvalidInput,
    TermsNotAccepted, DecreaseRequiresAccountManager.
    """
    actor.require_admin_of(tenant.id, field=("input", "tenantId"))
    product = await catalog.product(product_code, field=("input", "product"))
    new: int | None
    if unlimited:
        actor.require_operator("make a pool unlimited")
        new = None
    else:
        if capacity is None:
            raise InvalidInput("capacity is required.", field=("input", "capacity"))
        if capacity < 0 or capacity > MAX_CAPACITY:
            raise InvalidInput(
                f"capacity must be between 0 and {MAX_CAPACITY}.", field=("input", "capacity")
            )
        new = capacity
    await require_not_marketplace_managed(tenant.id)

    def decide(old: int | None) -> int | None:
        increase = old is not None and (new is None or new > old)
        if not increase and not actor.is_operator:
            raise DecreaseRequiresAccountManager()
        if increase and not actor.is_operator and not accept_terms:
            raise TermsNotAccepted()
        return new

    return await set_capacity(
        tenant_id=tenant.id,
        product=product,
        decide=decide,
        source=actor.source,
        actor_id=actor.user_id,
        who=_who(actor),
        actor=actor,
    )


def _who(actor: Actor) -> str:
    return f"by {actor.user.name}" if actor.user else "by your account manager"


WHO = {ChangeSource.MARKETPLACE: "by the marketplace", ChangeSource.SCHEDULE: "on schedule"}


async def set_capacity(
    *,
    tenant_id: int,
    product: Product,
    decide: Callable[[int | None], int | None],
    source: ChangeSource,
    actor_id: int | None,
    who: str,
    actor: Actor | None = None,
) -> SeatPool:
    """Change a pool's capacity to ``decide(current capacity)`` with a guarded update
    (creating the pool when missing), keep its licences in step, and write
    SEATS_ADJUSTED (and POOL_OVER_ALLOCATED when the pool ends up over-allocated)."""
    for _ in range(5):
        pool = await SeatPool.get_or_none(tenant_id=tenant_id, product_id=product.id)
        created = pool is None
        if pool is None:
            try:
                pool = await SeatPool.create(tenant_id=tenant_id, product_id=product.id, capacity=0)
            except IntegrityError:
                continue
        old = pool.capacity
        new = decide(old)
        if new == old:
            return pool
        guard = Q(capacity__isnull=True) if old is None else Q(capacity=old)
        if not await SeatPool.filter(Q(id=pool.id), guard).update(capacity=new):
            continue  # changed concurrently: decide again on fresh numbers
        pool = await SeatPool.get(id=pool.id)
        await sync_pool_licenses(pool, product)
        if created and product.assignment is AssignmentMode.BY_STATUS:
            pool = await seat_existing_users(actor=actor or OPERATOR, pool=pool, product=product)
        await _record_adjustment(pool, product, old, new, source, actor_id, who)
        return pool
    raise InvalidInput("The pool changed concurrently too often; retry.")


async def add_seats(
    *, tenant_id: int, product: Product, delta: int, source: ChangeSource, actor: Actor | None
) -> SeatPool:
    """Add (or with a negative ``delta`` remove) purchased seats; unlimited pools stay
    unlimited and capacity never goes below 0."""
    who = WHO.get(source) or (_who(actor) if actor else "")
    return await set_capacity(
        tenant_id=tenant_id,
        product=product,
        decide=lambda old: None if old is None else max(0, old + delta),
        source=source,
        actor_id=actor.user_id if actor else None,
        who=who,
        actor=actor,
    )


async def _record_adjustment(
    pool: SeatPool,
    product: Product,
    old: int | None,
    new: int | None,
    source: ChangeSource,
    actor_id: int | None,
    who: str,
) -> None:
    delta = None if old is None or new is None else new - old
    if new is None:
        what = f"{product.name} seats made unlimited {who}"
    elif old is None:
        what = f"{product.name} seats limited to {new} {who}"
    elif delta and delta > 0:
        what = f"{delta} {product.name} seat{'s' if delta != 1 else ''} added {who}"
    else:
        n = -(delta or 0)
        what = f"{n} {product.name} seat{'s' if n != 1 else ''} removed {who}"
    snapshot = pool_snapshot(pool, product.code)
    await record_event(
        tenant_id=pool.tenant_id,
        kind=SeatEventKind.SEATS_ADJUSTED,
        source=source,
        actor_id=actor_id,
        product=product.code,
        delta=delta,
        pool=snapshot,
        message=f"{what}: {seat_phrase(pool)}.",
    )
    if pool.over_allocated:
        await record_event(
            tenant_id=pool.tenant_id,
            kind=SeatEventKind.POOL_OVER_ALLOCATED,
            source=source,
            actor_id=actor_id,
            product=product.code,
            pool=snapshot,
            message=(
                f"{product.name} is over-allocated: {pool.assigned} assigned but only "
                f"{pool.capacity} purchased; unassign {pool.over_allocated} licence(s) "
                "before assigning more."
            ),
        )


async def require_not_marketplace_managed(tenant_id: int) -> None:
    """Seats of a tenant whose subscription a marketplace manages change only through
    the marketplace. Raises ManagedByMarketplace."""
    from models.billing import PlanSubscription

    partner = (
        await PlanSubscription.filter(
            tenant_id=tenant_id,
            source=SubscriptionSource.MARKETPLACE,
            status=SubscriptionStatus.ACTIVE,
        )
        .first()
        .values_list("partner", flat=True)
    )
    if partner is not None:
        raise ManagedByMarketplace(
            f"This tenant's seats are managed by the {partner} marketplace: "
            f"change them in the {partner} portal."
        )
