"""Add-on licences: licences of add-on products attached to an assigned base licence.

An add-on takes a seat of its own product's pool. It travels with its base licence when
the base is reassigned, stays attached when the base is unassigned, and is released when
the base is terminated.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.timezone import now

from models.auth import Actor
from models.catalog_cache import catalog
from models.enums import ChangeSource, LicenseState, ProductKind, SeatEventKind
from models.errors import (
    AddonNotCompatible,
    BaseLicenseRequired,
    Duplicate,
    InvalidInput,
    NotAssigned,
)
from models.events import pool_snapshot, record_event, seat_phrase
from models.licensing import release_seat, take_available_license, take_seat
from models.seats import License
from models.tenancy import User


@dataclass
class AddonResult:
    addon: License
    base: License


async def _holder(base: License) -> str:
    if base.assignee_id is None:
        return "an unassigned licence"
    user = await User.get_or_none(id=base.assignee_id)
    return user.label if user else "a licence"


async def attach_addon(
    *, actor: Actor, base: License, product_code: str, source: ChangeSource | None = None
) -> AddonResult:
    """Attach an add-on of ``product_code`` to an assigned, compatible base licence.

    Raises NotFound, Forbidden, InvalidInput, BaseLicenseRequired, AddonNotCompatible,
    Duplicate, SeatLimitReached, PoolOverAllocated.
    """
    actor.require_admin_of(base.tenant_id, field=("input", "baseLicenseId"))
    product = await catalog.product(product_code, field=("input", "product"))
    if product.kind is not ProductKind.ADDON:
        raise InvalidInput(f"{product.code} is not an add-on.", field=("input", "product"))
    base_product = await catalog.product_by_id(base.product_id)
    if base.base_id is not None or base_product.kind is ProductKind.ADDON:
        raise BaseLicenseRequired(
            "Add-ons attach to base licences, not to other add-ons.",
            field=("input", "baseLicenseId"),
        )
    if base_product.code not in product.base_products:
        raise AddonNotCompatible(
            f"{product.code} cannot be attached to a {base_product.code} licence "
            f"(it fits {', '.join(product.base_products)}).",
            field=("input", "product"),
        )
    if await License.exists(base_id=base.id, product_id=product.id):
        raise Duplicate(
            f"This licence already has a {product.code} add-on.", field=("input", "product")
        )
    # Lock the base while it is checked: it must stay assigned until commit.
    if not await License.filter(id=base.id, state=LicenseState.ASSIGNED).update(
        state=LicenseState.ASSIGNED
    ):
        raise BaseLicenseRequired(
            "The base licence must be assigned to a user.", field=("input", "baseLicenseId")
        )
    pool = await take_seat(tenant_id=base.tenant_id, product=product, actor=actor)
    try:
        addon = await take_available_license(
            pool,
            product,
            {"state": LicenseState.ASSIGNED, "base_id": base.id, "assigned_at": now()},
        )
    except IntegrityError:
        raise Duplicate(
            f"This licence already has a {product.code} add-on.", field=("input", "product")
        ) from None
    await record_event(
        tenant_id=base.tenant_id,
        kind=SeatEventKind.ADDON_ATTACHED,
        source=source or actor.source,
        actor_id=actor.user_id,
        product=product.code,
        pool=pool_snapshot(pool, product.code),
        license_id=addon.id,
        user_id=base.assignee_id,
        message=(
            f"{product.name} add-on attached to the {base_product.name} licence of "
            f"{await _holder(base)}: {seat_phrase(pool)}."
        ),
    )
    return AddonResult(addon=addon, base=await License.get(id=base.id))


async def detach_addon(*, actor: Actor, addon: License) -> License:
    """Detach an add-on; its seat is freed and it becomes AVAILABLE. Returns the base.

    Raises NotFound, Forbidden, NotAssigned.
    """
    actor.require_admin_of(addon.tenant_id, field=("input", "addonLicenseId"))
    if addon.base_id is None:
        raise NotAssigned(
            "This licence is not an attached add-on.", field=("input", "addonLicenseId")
        )
    base = await License.get(id=addon.base_id)
    return await release_addon(addon=addon, base=base, actor=actor)


async def release_addon(
    *, addon: License, base: License, actor: Actor | None, source: ChangeSource | None = None
) -> License:
    """Detach without permission checks (detachAddon, terminating the base)."""
    if not await License.filter(id=addon.id, base_id=base.id).update(
        state=LicenseState.AVAILABLE, base_id=None, assigned_at=None
    ):
        raise NotAssigned("The add-on was detached meanwhile.", field=("input", "addonLicenseId"))
    pool = await release_seat(addon.pool_id)
    product = await catalog.product_by_id(addon.product_id)
    await record_event(
        tenant_id=addon.tenant_id,
        kind=SeatEventKind.ADDON_DETACHED,
        source=source or (actor.source if actor else ChangeSource.SCHEDULE),
        actor_id=actor.user_id if actor else None,
        product=product.code,
        pool=pool_snapshot(pool, product.code),
        license_id=addon.id,
        user_id=base.assignee_id,
        message=f"{product.name} add-on detached from {await _holder(base)}: {seat_phrase(pool)}.",
    )
    return await License.get(id=base.id)
