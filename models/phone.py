"""Phone-system licences: extension keys and numbers, and terminating licences by UUID."""

from __future__ import annotations

import re
import uuid as uuidlib

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from models.addons import release_addon
from models.auth import Actor
from models.capacity import require_not_marketplace_managed
from models.catalog_cache import catalog
from models.enums import ChangeSource, LicenseState, SeatEventKind
from models.errors import Duplicate, InvalidInput, LicenseInUse, LicenseTerminated, NotFound
from models.events import pool_snapshot, record_event, seat_phrase
from models.licensing import ReleaseResult, release_license
from models.seats import License, SeatPool
from models.tenancy import User

PHONE_PRODUCT = "phone_system"
_EXTENSION = re.compile(r"^\d{1,10}$")
_NUMBER = re.compile(r"^\+?\d{6,15}$")


def clean_extension(value: str, fld: tuple[str, ...]) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not _EXTENSION.match(value):
        raise InvalidInput(f"Extension key {value!r} must be 1 to 10 digits.", field=fld)
    return value


def clean_number(value: str, fld: tuple[str, ...]) -> str | None:
    """A DID in E.164-like form: 6 to 15 digits, optionally after a +; spaces, dashes,
    dots and parentheses are ignored."""
    compact = re.sub(r"[\s\-().]", "", value)
    if not compact:
        return None
    if not _NUMBER.match(compact):
        raise InvalidInput(
            f"Number {value!r} must be 6 to 15 digits, optionally starting with +.", field=fld
        )
    return compact


async def configure_phone(
    *, actor: Actor, license: License, extension: str | None, number: str | None
) -> License:
    """Set (or clear with "") a phone_system licence's extension key and number; a field
    left out (None) is kept. Raises NotFound, Forbidden, InvalidInput, Duplicate,
    LicenseTerminated."""
    actor.require_admin_of(license.tenant_id, field=("input", "licenseId"))
    product = await catalog.product_by_id(license.product_id)
    if product.code != PHONE_PRODUCT:
        raise InvalidInput(
            f"Only {PHONE_PRODUCT} licences take extensions and numbers, not {product.code}.",
            field=("input", "licenseId"),
        )
    if license.state is LicenseState.TERMINATED:
        raise LicenseTerminated("The licence is terminated.", field=("input", "licenseId"))
    values: dict[str, str | None] = {}
    if extension is not None:
        values["extension"] = clean_extension(extension, ("input", "extension"))
    if number is not None:
        values["number"] = clean_number(number, ("input", "number"))
    for name, value in values.items():
        if (
            value is not None
            and await License.filter(**{"tenant_id": license.tenant_id, name: value})
            .exclude(id=license.id)
            .exists()
        ):
            raise Duplicate(
                f"{'Extension' if name == 'extension' else 'Number'} {value} is already used "
                "in this tenant.",
                field=("input", name),
            )
    if values:
        try:
            await License.filter(id=license.id).update(**values)
        except IntegrityError:
            raise Duplicate(
                "That extension or number was taken meanwhile.", field=("input", "extension")
            ) from None
    return await License.get(id=license.id)


async def terminate_license(*, actor: Actor, uuid: str, force: bool = False) -> ReleaseResult:
    """Terminate a licence by UUID: its pool loses that seat (capacity - 1, unlimited
    pools stay unlimited), its add-ons are released, its extension and number freed. An
    assigned (or attached) licence needs ``force``, which releases it first (booking-page
    rules apply). Raises NotFound, Forbidden, ManagedByMarketplace, LicenseInUse,
    LicenseTerminated."""
    fld = ("input", "uuid")
    try:
        key = uuidlib.UUID(uuid.strip())
    except ValueError:
        raise NotFound("No licence with this UUID.", field=fld) from None
    license = await License.get_or_none(uuid=key)
    if license is None:
        raise NotFound("No licence with this UUID.", field=fld)
    actor.require_admin_of(license.tenant_id, field=fld)
    await require_not_marketplace_managed(license.tenant_id)
    if license.state is LicenseState.TERMINATED:
        raise LicenseTerminated(f"Licence {license.uuid} is already terminated.", field=fld)
    in_use = license.state is LicenseState.ASSIGNED
    if in_use and not force:
        raise LicenseInUse(
            f"Licence {license.uuid} is in use: unassign it first, or pass force: true.",
            field=fld,
        )
    pages = []
    if license.base_id is not None:  # an attached add-on
        base = await License.get(id=license.base_id)
        await release_addon(addon=license, base=base, actor=actor)
    elif license.assignee_id is not None:
        user = await User.get(id=license.assignee_id)
        pages = (
            await release_license(license=license, user=user, actor=actor)
        ).disabled_booking_pages
    for addon in await License.filter(base_id=license.id).order_by("id"):
        await release_addon(addon=addon, base=license, actor=actor)
    done = await License.filter(id=license.id, state=LicenseState.AVAILABLE).update(
        state=LicenseState.TERMINATED, extension=None, number=None, base_id=None
    )
    if not done:
        raise LicenseInUse("The licence changed meanwhile; retry.", field=fld)
    await SeatPool.filter(Q(id=license.pool_id), Q(capacity__gt=0)).update(
        capacity=F("capacity") - 1
    )
    pool = await SeatPool.get(id=license.pool_id)
    product = await catalog.product_by_id(license.product_id)
    row = await License.get(id=license.id)
    await record_event(
        tenant_id=license.tenant_id,
        kind=SeatEventKind.LICENSE_TERMINATED,
        source=actor.source if actor.is_operator or actor.user else ChangeSource.ADMIN,
        actor_id=actor.user_id,
        product=product.code,
        delta=None if pool.capacity is None else -1,
        pool=pool_snapshot(pool, product.code),
        license_id=license.id,
        message=f"{product.name} licence {license.uuid} terminated: {seat_phrase(pool)}.",
    )
    return ReleaseResult(license=row, pool=pool, disabled_booking_pages=pages)
