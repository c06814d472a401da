"""Booking pages: only users holding a scheduling licence may own an enabled one.

The invariant "no enabled page has an unlicensed owner" holds under concurrency because
enabling a page first touches the owner's scheduling licence row with a guarded update
(which also locks it until commit), and every way of losing that licence updates the
same row before it disables the owner's pages, in the same transaction.
"""

from __future__ import annotations

import re

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.timezone import now

from models.auth import Actor
from models.catalog_cache import catalog
from models.enums import BookingPageDisabledReason, ChangeSource, LicenseState, SeatEventKind
from models.errors import Duplicate, Forbidden, InvalidInput, NotFound, OwnerUnlicensed
from models.events import record_event
from models.seats import License
from models.tenancy import Tenant, User

SCHEDULING_PRODUCT = "scheduled_meeting"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class BookingPage(Model):
    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="booking_pages", on_delete=fields.CASCADE
    )
    tenant_id: int
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="booking_pages", on_delete=fields.RESTRICT
    )
    owner_id: int
    title = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=False)
    disabled_reason = fields.CharEnumField(BookingPageDisabledReason, max_length=32, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "booking_page"
        unique_together = (("tenant", "slug"),)
        indexes = (("owner_id", "enabled"),)


async def lock_scheduling_licence(owner: User) -> bool:
    """True when ``owner`` holds a live scheduling licence; locks that licence row until
    commit so that it cannot be lost while a page is being enabled."""
    product = await catalog.product(SCHEDULING_PRODUCT)
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=now())
    touched = await License.filter(
        live, assignee_id=owner.id, product_id=product.id, state=LicenseState.ASSIGNED
    ).update(state=LicenseState.ASSIGNED)
    return bool(touched)


def _slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:80] or "page"


def _check_can_manage(
    actor: Actor, page_tenant_id: int, owner_id: int, fld: tuple[str, ...]
) -> None:
    """Administrators manage every page of their tenant; members only their own."""
    if actor.can_manage_tenant(page_tenant_id):
        return
    if actor.tenant_id != page_tenant_id:
        raise NotFound("Not found.", field=fld)
    if actor.user_id != owner_id:
        raise Forbidden("Members manage only their own booking pages.", field=fld)


async def create_booking_page(
    *, actor: Actor, owner: User, title: str, slug: str | None, enabled: bool = True
) -> BookingPage:
    """Create a page for ``owner``; an enabled page needs the owner to hold a scheduling
    licence. Raises NotFound, Forbidden, InvalidInput, Duplicate, OwnerUnlicensed."""
    _check_can_manage(actor, owner.tenant_id, owner.id, ("input", "ownerId"))
    title = title.strip()
    if not title or len(title) > 200:
        raise InvalidInput("title must be 1 to 200 characters.", field=("input", "title"))
    if slug is not None:
        slug = slug.strip().lower()
        if not _SLUG.match(slug) or len(slug) > 100:
            raise InvalidInput(
                "slug must be lowercase letters, digits and single hyphens.",
                field=("input", "slug"),
            )
    else:
        base = _slugify(title)
        slug, n = base, 1
        while await BookingPage.exists(tenant_id=owner.tenant_id, slug=slug):
            n += 1
            slug = f"{base}-{n}"
    if await BookingPage.exists(tenant_id=owner.tenant_id, slug=slug):
        raise Duplicate(f"A booking page with slug {slug!r} exists.", field=("input", "slug"))
    if enabled and not await lock_scheduling_licence(owner):
        raise _unlicensed(owner, ("input", "ownerId"))
    try:
        return await BookingPage.create(
            tenant_id=owner.tenant_id,
            owner_id=owner.id,
            title=title,
            slug=slug,
            enabled=enabled,
            disabled_reason=None if enabled else BookingPageDisabledReason.DISABLED_BY_ADMIN,
        )
    except IntegrityError:
        raise Duplicate(
            f"A booking page with slug {slug!r} exists.", field=("input", "slug")
        ) from None


def _unlicensed(owner: User, fld: tuple[str, ...]) -> OwnerUnlicensed:
    return OwnerUnlicensed(
        f"{owner.email} holds no {SCHEDULING_PRODUCT} licence: assign one before enabling "
        "a booking page for them.",
        field=fld,
    )


async def set_booking_page_enabled(
    *, actor: Actor, page: BookingPage, enabled: bool
) -> BookingPage:
    """Enable (owner must be licensed) or disable a page. Raises NotFound, Forbidden,
    OwnerUnlicensed."""
    _check_can_manage(actor, page.tenant_id, page.owner_id, ("input", "bookingPageId"))
    if enabled == page.enabled:
        return page
    if enabled:
        owner = await User.get(id=page.owner_id)
        if not await lock_scheduling_licence(owner):
            raise _unlicensed(owner, ("input", "bookingPageId"))
        await BookingPage.filter(id=page.id).update(enabled=True, disabled_reason=None)
        return await BookingPage.get(id=page.id)
    await BookingPage.filter(id=page.id).update(
        enabled=False, disabled_reason=BookingPageDisabledReason.DISABLED_BY_ADMIN
    )
    page = await BookingPage.get(id=page.id)
    await record_event(
        tenant_id=page.tenant_id,
        kind=SeatEventKind.BOOKING_PAGES_DISABLED,
        source=actor.source,
        actor_id=actor.user_id,
        user_id=page.owner_id,
        booking_page_ids=[page.id],
        message=f"Booking page {page.title!r} disabled{_by(actor)}.",
    )
    return page


def _by(actor: Actor | None) -> str:
    if actor is None:
        return ""
    return f" by {actor.user.name}" if actor.user else " by an operator"


async def transfer_booking_page(
    *, actor: Actor, page: BookingPage, new_owner: User, enable: bool = False
) -> BookingPage:
    """Give a page to another user of the tenant. With ``enable`` the page is enabled,
    which needs the new owner to be licensed; an enabled page moved to an unlicensed owner
    is disabled (OWNER_UNLICENSED). Raises NotFound, Forbidden, InvalidInput,
    OwnerUnlicensed."""
    actor.require_admin_of(page.tenant_id, field=("input", "bookingPageId"))
    actor.require_admin_of(new_owner.tenant_id, field=("input", "newOwnerId"))
    if new_owner.tenant_id != page.tenant_id:
        raise InvalidInput(
            "The new owner belongs to another tenant.", field=("input", "newOwnerId")
        )
    licensed = await lock_scheduling_licence(new_owner)
    if enable and not licensed:
        raise _unlicensed(new_owner, ("input", "newOwnerId"))
    values: dict[str, object] = {"owner_id": new_owner.id}
    disabled_now = False
    if enable:
        values.update(enabled=True, disabled_reason=None)
    elif page.enabled and not licensed:
        values.update(enabled=False, disabled_reason=BookingPageDisabledReason.OWNER_UNLICENSED)
        disabled_now = True
    await BookingPage.filter(id=page.id).update(**values)
    page = await BookingPage.get(id=page.id)
    if disabled_now:
        await record_event(
            tenant_id=page.tenant_id,
            kind=SeatEventKind.BOOKING_PAGES_DISABLED,
            source=actor.source,
            actor_id=actor.user_id,
            user_id=new_owner.id,
            booking_page_ids=[page.id],
            message=(
                f"Booking page {page.title!r} disabled: its new owner {new_owner.label} "
                f"holds no {SCHEDULING_PRODUCT} licence."
            ),
        )
    return page


async def disable_pages_of_unlicensed_owner(
    *, owner: User, actor: Actor | None, source: ChangeSource
) -> list[BookingPage]:
    """Called right after ``owner`` lost a scheduling licence, in that transaction:
    disable all their enabled pages (OWNER_UNLICENSED) and write one
    BOOKING_PAGES_DISABLED event listing them. Re-licensing re-enables nothing."""
    ids = (
        await BookingPage.filter(owner_id=owner.id, enabled=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not ids:
        return []
    await BookingPage.filter(id__in=list(ids), enabled=True).update(
        enabled=False, disabled_reason=BookingPageDisabledReason.OWNER_UNLICENSED
    )
    pages = await BookingPage.filter(id__in=list(ids)).order_by("id")
    titles = ", ".join(repr(p.title) for p in pages)
    await record_event(
        tenant_id=owner.tenant_id,
        kind=SeatEventKind.BOOKING_PAGES_DISABLED,
        source=source,
        actor_id=actor.user_id if actor else None,
        user_id=owner.id,
        booking_page_ids=[p.id for p in pages],
        message=(
            f"{len(pages)} booking page{'s' if len(pages) != 1 else ''} of {owner.label} "
            f"disabled because they no longer hold a {SCHEDULING_PRODUCT} licence: {titles}."
        ),
    )
    return pages


async def hand_over_pages(*, owner: User, to: User) -> int:
    """Move all of ``owner``'s pages, disabled, to ``to`` (used when deleting a user)."""
    await BookingPage.filter(owner_id=owner.id, enabled=True).update(
        enabled=False, disabled_reason=BookingPageDisabledReason.DISABLED_BY_ADMIN
    )
    return await BookingPage.filter(owner_id=owner.id).update(owner_id=to.id)
