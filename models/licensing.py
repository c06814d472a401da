"""Licence assignment rules: assign, unassign, reassign.

Every function here runs inside the caller's transaction (``run_use_case``) and keeps
the seat limit by guarded updates whose row counts are checked, never by reading and
then writing: ``UPDATE seat_pool SET assigned = assigned + 1 WHERE assigned < capacity``
and ``UPDATE license ... WHERE state = 'AVAILABLE'``. The unique index on
(assignee, product) keeps one licence per product per user.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.timezone import now

from models.auth import Actor
from models.booking import SCHEDULING_PRODUCT, BookingPage, disable_pages_of_unlicensed_owner
from models.catalog import Product
from models.catalog_cache import catalog
from models.enums import (
    AssignmentMode,
    ChangeSource,
    LicenseState,
    ProductKind,
    SeatEventKind,
    TenantStatus,
)
from models.errors import (
    AlreadyAssigned,
    InvalidInput,
    LicenseInUse,
    LicenseTerminated,
    NotAssigned,
    PoolOverAllocated,
    SeatLimitReached,
    SubscriptionCancelled,
    TermsNotAccepted,
    UserNotLicensable,
)
from models.events import pool_snapshot, record_event, seat_phrase
from models.seats import License, SeatPool
from models.tenancy import Tenant, User


@dataclass
class AssignResult:
    license: License
    pool: SeatPool


@dataclass
class ReleaseResult:
    license: License
    pool: SeatPool
    previous_assignee: User | None = None
    # Booking pages disabled because the owner lost a scheduling licence.
    disabled_booking_pages: list[BookingPage] = field(default_factory=list)


def _check_licensable(user: User, fld: tuple[str, ...]) -> None:
    if not user.status.licensable:
        raise UserNotLicensable(
            f"{user.email} has status {user.status.value} and cannot hold a licence; "
            "only ACTIVE or LOCKED users can.",
            field=fld,
        )


def _check_assignable_product(product: Product, fld: tuple[str, ...]) -> None:
    if product.kind is ProductKind.ADDON:
        raise InvalidInput(
            f"{product.code} is an add-on: attach it to a base licence with attachAddon.",
            field=fld,
        )
    if product.assignment is AssignmentMode.BY_STATUS:
        raise InvalidInput(
            f"{product.code} seats follow user status (user allowance); "
            "change the user's status instead.",
            field=fld,
        )


async def _refresh_pool(pool_id: int) -> SeatPool:
    return await SeatPool.get(id=pool_id)


async def _take_one_seat(pool: SeatPool) -> bool:
    """Guarded ``assigned += 1`` (never above capacity) that reads the new counters back
    in the same statement (UPDATE ... RETURNING, SQLite 3.35+ and PostgreSQL) onto
    ``pool``: one statement instead of update + re-read. False when the pool is full."""
    connection = get_connection("default")  # the transaction's own, when in one
    placeholder = "$1" if connection.capabilities.dialect == "postgres" else "?"
    rows = await connection.execute_query_dict(
        'UPDATE "seat_pool" SET "assigned" = "assigned" + 1 '
        f'WHERE "id" = {placeholder} AND ("capacity" IS NULL OR "assigned" < "capacity") '
        'RETURNING "assigned", "capacity"',
        [pool.id],
    )
    if not rows:
        return False
    pool.assigned, pool.capacity = int(rows[0]["assigned"]), rows[0]["capacity"]
    return True


async def take_seat(
    *,
    tenant_id: int,
    product: Product,
    actor: Actor,
    increase_capacity: bool = False,
    accept_terms: bool = False,
) -> SeatPool:
    """Count one more assigned seat in the tenant's pool of ``product``.

    Guarantees ``assigned <= capacity`` under concurrency. When the pool is full and
    ``increase_capacity`` is set with ``accept_terms``, buys exactly one more seat in the
    same transaction (a SEATS_ADJUSTED event with source AUTO_INCREASE).
    Raises SeatLimitReached, PoolOverAllocated or TermsNotAccepted.
    """
    capacity = 0
    for _ in range(5):
        pool = await SeatPool.get_or_none(tenant_id=tenant_id, product_id=product.id)
        if pool is None:
            if not increase_capacity:
                raise SeatLimitReached(product=product.code, capacity=0)
            if not accept_terms:
                raise TermsNotAccepted()
            await _may_buy(tenant_id)
            try:
                pool = await SeatPool.create(
                    tenant_id=tenant_id, product_id=product.id, capacity=1, assigned=1
                )
            except IntegrityError:
                continue  # created concurrently: retry against it
            await _record_auto_increase(pool, product, actor, old_capacity=0)
            return pool
        if await _take_one_seat(pool):
            return pool
        pool = await _refresh_pool(pool.id)
        assert pool.capacity is not None
        capacity = pool.capacity
        if pool.assigned > pool.capacity:
            raise PoolOverAllocated(
                product=product.code, capacity=pool.capacity, assigned=pool.assigned
            )
        if pool.assigned < pool.capacity:
            continue  # a seat was freed meanwhile
        if not increase_capacity:
            raise SeatLimitReached(product=product.code, capacity=pool.capacity)
        if not accept_terms:
            raise TermsNotAccepted()
        await _may_buy(tenant_id)
        bought = await SeatPool.filter(
            id=pool.id, capacity=pool.capacity, assigned=F("capacity")
        ).update(capacity=F("capacity") + 1, assigned=F("assigned") + 1)
        if bought:
            old = pool.capacity
            pool = await _refresh_pool(pool.id)
            await _record_auto_increase(pool, product, actor, old_capacity=old)
            return pool
    raise SeatLimitReached(product=product.code, capacity=capacity)


async def _may_buy(tenant_id: int) -> None:
    from models.capacity import require_not_marketplace_managed  # capacity imports us

    await require_not_marketplace_managed(tenant_id)


async def _record_auto_increase(
    pool: SeatPool, product: Product, actor: Actor, *, old_capacity: int
) -> None:
    # The licence is taken right after, so the snapshot shows the seat as available
    # until the LICENSE_ASSIGNED event that follows.
    snapshot = pool_snapshot(pool, product.code)
    snapshot["assigned"] = pool.assigned - 1
    snapshot["available"] = (pool.capacity or 0) - pool.assigned + 1
    await record_event(
        tenant_id=pool.tenant_id,
        kind=SeatEventKind.SEATS_ADJUSTED,
        source=ChangeSource.AUTO_INCREASE,
        actor_id=actor.user_id,
        product=product.code,
        delta=(pool.capacity or 0) - old_capacity,
        pool=snapshot,
        message=(f"1 {product.name} seat bought to assign a licence: {pool.capacity} purchased."),
    )


async def release_seat(pool_id: int) -> SeatPool:
    await SeatPool.filter(id=pool_id, assigned__gt=0).update(assigned=F("assigned") - 1)
    return await _refresh_pool(pool_id)


async def assign_license(
    *,
    actor: Actor,
    user: User,
    product_code: str | None = None,
    license: License | None = None,
    expires_at: datetime | None = None,
    increase_capacity: bool = False,
    accept_terms: bool = False,
) -> AssignResult:
    """Assign a licence of ``product_code`` (any available one) or that very ``license``.

    Guarantees: the pool never goes over capacity; a user holds at most one licence per
    product; an explicit licence is assigned only while AVAILABLE. Raises NotFound,
    Forbidden, InvalidInput, UserNotLicensable, AlreadyAssigned, LicenseInUse,
    LicenseTerminated, SeatLimitReached, PoolOverAllocated, TermsNotAccepted.
    """
    actor.require_admin_of(user.tenant_id, field=("input", "userId"))
    if (product_code is None) == (license is None):
        raise InvalidInput("Give either product or licenseId.", field=("input", "product"))
    if license is not None:
        actor.require_admin_of(license.tenant_id, field=("input", "licenseId"))
        if license.tenant_id != user.tenant_id:
            raise InvalidInput(
                "The licence and the user belong to different tenants.",
                field=("input", "licenseId"),
            )
        product = await catalog.product_by_id(license.product_id)
        fld: tuple[str, ...] = ("input", "licenseId")
        _check_license_available(license)
    else:
        assert product_code is not None
        fld = ("input", "product")
        product = await catalog.product(product_code, field=fld)
    _check_assignable_product(product, fld)
    _check_licensable(user, ("input", "userId"))
    if await Tenant.exists(id=user.tenant_id, status=TenantStatus.CANCELLED):
        raise SubscriptionCancelled(
            "The tenant's subscription is cancelled: no licence can be assigned.",
            field=("input", "userId"),
        )
    if expires_at is not None and expires_at <= now():
        raise InvalidInput("expiresAt must be in the future.", field=("input", "expiresAt"))
    if await License.exists(assignee_id=user.id, product_id=product.id):
        raise _already(user, product)
    if license is None:
        return await grant(
            actor=actor,
            user=user,
            product=product,
            expires_at=expires_at,
            increase_capacity=increase_capacity,
            accept_terms=accept_terms,
        )
    pool = await take_seat(
        tenant_id=user.tenant_id,
        product=product,
        actor=actor,
        increase_capacity=increase_capacity,
        accept_terms=accept_terms,
    )
    if license.pool_id != pool.id:
        raise InvalidInput("The licence is not part of the tenant's pool.", field=fld)
    try:
        won = await License.filter(id=license.id, state=LicenseState.AVAILABLE).update(
            **assigned_values(user, expires_at)
        )
    except IntegrityError:
        raise _already(user, product) from None
    if not won:
        _check_license_available(await License.get(id=license.id))
        raise LicenseInUse("The licence was assigned meanwhile.", field=fld)
    row = await License.get(id=license.id)
    await record_assigned(actor, user, product, pool, row)
    return AssignResult(license=row, pool=pool)


def assigned_values(user: User, expires_at: datetime | None) -> dict[str, Any]:
    return {
        "state": LicenseState.ASSIGNED,
        "assignee_id": user.id,
        "assigned_at": now(),
        "expires_at": expires_at,
    }


def _already(user: User, product: Product) -> AlreadyAssigned:
    return AlreadyAssigned(
        f"{user.email} already holds a {product.code} licence.", field=("input", "userId")
    )


async def record_assigned(
    actor: Actor,
    user: User,
    product: Product,
    pool: SeatPool,
    row: License,
    source: ChangeSource | None = None,
) -> None:
    await record_event(
        tenant_id=user.tenant_id,
        kind=SeatEventKind.LICENSE_ASSIGNED,
        source=source or actor.source,
        actor_id=actor.user_id,
        product=product.code,
        pool=pool_snapshot(pool, product.code),
        license_id=row.id,
        user_id=user.id,
        message=f"{product.name} licence assigned to {user.label}: {seat_phrase(pool)}.",
    )


async def grant(
    *,
    actor: Actor,
    user: User,
    product: Product,
    expires_at: datetime | None = None,
    increase_capacity: bool = False,
    accept_terms: bool = False,
    source: ChangeSource | None = None,
) -> AssignResult:
    """Take a seat and an available (or new) licence of ``product`` for ``user`` and
    write LICENSE_ASSIGNED. No permission or product checks: callers have made them."""
    pool = await take_seat(
        tenant_id=user.tenant_id,
        product=product,
        actor=actor,
        increase_capacity=increase_capacity,
        accept_terms=accept_terms,
    )
    try:
        row = await take_available_license(pool, product, assigned_values(user, expires_at))
    except IntegrityError:
        raise _already(user, product) from None
    await record_assigned(actor, user, product, pool, row, source)
    return AssignResult(license=row, pool=pool)


def _check_license_available(license: License) -> None:
    if license.state is LicenseState.TERMINATED:
        raise LicenseTerminated(
            f"Licence {license.uuid} is terminated.", field=("input", "licenseId")
        )
    if license.state is LicenseState.ASSIGNED:
        raise LicenseInUse(
            f"Licence {license.uuid} is assigned; unassign or reassign it instead.",
            field=("input", "licenseId"),
        )
    if license.base_id is not None:
        raise InvalidInput(
            "This is an add-on attached to a base licence.", field=("input", "licenseId")
        )


async def take_available_license(
    pool: SeatPool, product: Product, values: dict[str, Any]
) -> License:
    """Reuse an AVAILABLE licence of the pool (it keeps its UUID), or create one."""
    for _ in range(5):
        candidate = (
            await License.filter(pool_id=pool.id, state=LicenseState.AVAILABLE, base_id=None)
            .order_by("id")
            .first()
        )
        if candidate is None:
            return await License.create(
                uuid=uuid.uuid4(),
                tenant_id=pool.tenant_id,
                pool_id=pool.id,
                product_id=product.id,
                **values,
            )
        if await License.filter(id=candidate.id, state=LicenseState.AVAILABLE).update(**values):
            for name, value in values.items():  # what the guarded update wrote
                setattr(candidate, name, value)
            return candidate
    raise LicenseInUse("Could not take an available licence under contention; retry.")


async def unassign_license(
    *, actor: Actor, license: License, source: ChangeSource | None = None
) -> ReleaseResult:
    """Return an assigned licence to AVAILABLE (it keeps its UUID and configuration).

    Raises NotFound, Forbidden, NotAssigned.
    """
    actor.require_admin_of(license.tenant_id, field=("input", "licenseId"))
    if license.state is not LicenseState.ASSIGNED or license.assignee_id is None:
        raise NotAssigned(f"Licence {license.uuid} is not assigned.", field=("input", "licenseId"))
    _check_explicit(await catalog.product_by_id(license.product_id))
    user = await User.get(id=license.assignee_id)
    return await release_license(license=license, user=user, actor=actor, source=source)


def _check_explicit(product: Product) -> None:
    if product.assignment is AssignmentMode.BY_STATUS:
        raise InvalidInput(
            f"{product.code} seats follow user status: change the user's status instead.",
            field=("input", "licenseId"),
        )


async def _after_loss(
    user: User, product: Product, actor: Actor | None, source: ChangeSource
) -> list[BookingPage]:
    """What losing a licence of ``product`` takes away from ``user``, same transaction."""
    if product.code == SCHEDULING_PRODUCT:
        return await disable_pages_of_unlicensed_owner(owner=user, actor=actor, source=source)
    return []


async def release_license(
    *, license: License, user: User, actor: Actor | None, source: ChangeSource | None = None
) -> ReleaseResult:
    """Unassign without permission checks: shared by unassign, user deletion and expiry."""
    released = await License.filter(
        id=license.id, state=LicenseState.ASSIGNED, assignee_id=user.id
    ).update(state=LicenseState.AVAILABLE, assignee_id=None, assigned_at=None, expires_at=None)
    if not released:
        raise NotAssigned(f"Licence {license.uuid} is not assigned.", field=("input", "licenseId"))
    pool = await release_seat(license.pool_id)
    product = await catalog.product_by_id(license.product_id)
    row = await License.get(id=license.id)  # fresh: its add-ons and configuration as stored
    who = f" by {actor.user.name}" if actor and actor.user else ""
    source = source or (actor.source if actor else ChangeSource.SCHEDULE)
    await record_event(
        tenant_id=license.tenant_id,
        kind=SeatEventKind.LICENSE_UNASSIGNED,
        source=source,
        actor_id=actor.user_id if actor else None,
        product=product.code,
        pool=pool_snapshot(pool, product.code),
        license_id=license.id,
        user_id=user.id,
        message=f"{product.name} licence unassigned from {user.label}{who}: {seat_phrase(pool)}.",
    )
    pages = await _after_loss(user, product, actor, source)
    return ReleaseResult(
        license=row, pool=pool, previous_assignee=user, disabled_booking_pages=pages
    )


async def find_assigned_license(*, actor: Actor, user: User, product_code: str) -> License:
    """The user's licence of a product. Raises NotFound, Forbidden, NotAssigned."""
    actor.require_admin_of(user.tenant_id, field=("input", "userId"))
    product = await catalog.product(product_code, field=("input", "product"))
    row = await License.get_or_none(assignee_id=user.id, product_id=product.id)
    if row is None:
        raise NotAssigned(
            f"{user.email} holds no {product.code} licence.", field=("input", "product")
        )
    return row


async def reassign_license(*, actor: Actor, license: License, to_user: User) -> ReleaseResult:
    """Move an assigned licence to another user in one step; seat counts do not change.

    Raises NotFound, Forbidden, NotAssigned, UserNotLicensable, AlreadyAssigned,
    LicenseTerminated.
    """
    actor.require_admin_of(license.tenant_id, field=("input", "licenseId"))
    actor.require_admin_of(to_user.tenant_id, field=("input", "userId"))
    if to_user.tenant_id != license.tenant_id:
        raise InvalidInput(
            "The licence and the user belong to different tenants.", field=("input", "userId")
        )
    if license.state is LicenseState.TERMINATED:
        raise LicenseTerminated(
            f"Licence {license.uuid} is terminated.", field=("input", "licenseId")
        )
    if license.state is not LicenseState.ASSIGNED or license.assignee_id is None:
        raise NotAssigned(
            f"Licence {license.uuid} is not assigned; use assignLicense.",
            field=("input", "licenseId"),
        )
    product = await catalog.product_by_id(license.product_id)
    _check_explicit(product)
    if license.assignee_id == to_user.id:
        raise AlreadyAssigned(
            f"{to_user.email} already holds this licence.", field=("input", "userId")
        )
    _check_licensable(to_user, ("input", "userId"))
    if await License.exists(assignee_id=to_user.id, product_id=product.id):
        raise AlreadyAssigned(
            f"{to_user.email} already holds a {product.code} licence.", field=("input", "userId")
        )
    previous = await User.get(id=license.assignee_id)
    try:
        moved = await License.filter(
            id=license.id, state=LicenseState.ASSIGNED, assignee_id=previous.id
        ).update(assignee_id=to_user.id, assigned_at=now(), expires_at=None)
    except IntegrityError:
        raise AlreadyAssigned(
            f"{to_user.email} already holds a {product.code} licence.", field=("input", "userId")
        ) from None
    if not moved:
        raise NotAssigned("The licence changed meanwhile; retry.", field=("input", "licenseId"))
    row = await License.get(id=license.id)
    pool = await SeatPool.get(id=license.pool_id)
    await record_event(
        tenant_id=license.tenant_id,
        kind=SeatEventKind.LICENSE_REASSIGNED,
        source=actor.source,
        actor_id=actor.user_id,
        product=product.code,
        pool=pool_snapshot(pool, product.code),
        license_id=license.id,
        user_id=to_user.id,
        message=(
            f"{product.name} licence moved from {previous.label} to {to_user.label}: "
            f"{seat_phrase(pool)}."
        ),
    )
    pages = await _after_loss(previous, product, actor, actor.source)
    return ReleaseResult(
        license=row, pool=pool, previous_assignee=previous, disabled_booking_pages=pages
    )
