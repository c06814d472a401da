"""Seat-changing mutations: assign, unassign, reassign, adjust capacity.

Each runs as one use case through ``models.idempotency.execute`` (idempotencyKey,
dryRun) and wakes the relay after commit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from models import addons, capacity, idempotency, licensing
from models.auth import Actor
from models.billing import invoice_preview
from models.booking import BookingPage as BookingPageRow
from models.errors import DomainError, InvalidInput
from models.events import UnitOfWork
from models.seats import License as LicenseRow
from models.seats import SeatPool as SeatPoolRow
from models.tenancy import Tenant as TenantRow
from models.tenancy import User as UserRow
from resolvers import ids
from resolvers.errors import user_errors
from schema.billing import InvoicePreview
from schema.inputs import (
    AdjustSeatCapacityInput,
    AssignLicenseInput,
    AttachAddonInput,
    DetachAddonInput,
    ReassignLicenseInput,
    UnassignLicenseInput,
)
from schema.payloads import (
    AdjustSeatCapacityPayload,
    AssignLicensePayload,
    AttachAddonPayload,
    DetachAddonPayload,
    ReassignLicensePayload,
    UnassignLicensePayload,
)
from schema.types import BookingPage, License, SeatPool, User

R = TypeVar("R")


def _scope(actor: Actor) -> str:
    return "operator" if actor.is_operator else f"user:{actor.user_id}"


def _request(input: Any) -> dict[str, Any]:
    data = dataclasses.asdict(input)
    data.pop("idempotency_key", None)
    data.pop("dry_run", None)
    return data


async def seat_change(
    actor: Actor,
    input: Any,
    operation: str,
    op: Callable[[], Awaitable[R]],
    *,
    encode: Callable[[R], dict[str, Any]],
    decode: Callable[[dict[str, Any]], Awaitable[R]],
) -> tuple[R, UnitOfWork | None]:
    """Run a seat-changing use case with the input's idempotencyKey and dryRun."""
    return await idempotency.execute(
        op,
        scope=_scope(actor),
        operation=operation,
        request=_request(input),
        key=input.idempotency_key,
        dry_run=bool(getattr(input, "dry_run", False)),
        encode=encode,
        decode=decode,
    )


def _encode_release(r: licensing.ReleaseResult) -> dict[str, Any]:
    prev = r.previous_assignee.id if r.previous_assignee else None
    pages = [p.id for p in r.disabled_booking_pages]
    return {"license": r.license.id, "pool": r.pool.id, "previous": prev, "pages": pages}


async def _decode_release(d: dict[str, Any]) -> licensing.ReleaseResult:
    return licensing.ReleaseResult(
        license=await LicenseRow.get(id=d["license"]),
        pool=await SeatPoolRow.get(id=d["pool"]),
        previous_assignee=await UserRow.get_or_none(id=d["previous"]) if d["previous"] else None,
        disabled_booking_pages=await BookingPageRow.filter(id__in=d["pages"]).order_by("id"),
    )


def _pages(result: licensing.ReleaseResult) -> list[BookingPage]:
    return [BookingPage.from_row(p) for p in result.disabled_booking_pages]


async def assign_license(info: strawberry.Info, input: AssignLicenseInput) -> AssignLicensePayload:
    actor = info.context.require_actor()

    async def op() -> licensing.AssignResult:
        user = await ids.load(UserRow, input.user_id, ("input", "userId"))
        license = None
        if input.license_id is not None:
            license = await ids.load(LicenseRow, input.license_id, ("input", "licenseId"))
        return await licensing.assign_license(
            actor=actor,
            user=user,
            product_code=input.product,
            license=license,
            expires_at=input.expires_at,
            increase_capacity=bool(input.increase_capacity),
            accept_terms=bool(input.accept_terms),
        )

    async def decode(d: dict[str, Any]) -> licensing.AssignResult:
        return licensing.AssignResult(
            license=await LicenseRow.get(id=d["license"]), pool=await SeatPoolRow.get(id=d["pool"])
        )

    try:
        result, uow = await seat_change(
            actor,
            input,
            "assignLicense",
            op,
            encode=lambda r: {"license": r.license.id, "pool": r.pool.id},
            decode=decode,
        )
    except DomainError as exc:
        return AssignLicensePayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return AssignLicensePayload(
        license=License.from_row(result.license), seat_pool=SeatPool.from_row(result.pool)
    )


async def unassign_license(
    info: strawberry.Info, input: UnassignLicenseInput
) -> UnassignLicensePayload:
    actor = info.context.require_actor()

    async def op() -> licensing.ReleaseResult:
        if input.license_id is not None:
            license = await ids.load(LicenseRow, input.license_id, ("input", "licenseId"))
        elif input.user_id is not None and input.product:
            user = await ids.load(UserRow, input.user_id, ("input", "userId"))
            license = await licensing.find_assigned_license(
                actor=actor, user=user, product_code=input.product
            )
        else:
            raise InvalidInput(
                "Give licenseId, or userId and product.", field=("input", "licenseId")
            )
        return await licensing.unassign_license(actor=actor, license=license)

    try:
        result, uow = await seat_change(
            actor, input, "unassignLicense", op, encode=_encode_release, decode=_decode_release
        )
    except DomainError as exc:
        return UnassignLicensePayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return UnassignLicensePayload(
        license=License.from_row(result.license),
        seat_pool=SeatPool.from_row(result.pool),
        disabled_booking_pages=_pages(result),
    )


async def reassign_license(
    info: strawberry.Info, input: ReassignLicenseInput
) -> ReassignLicensePayload:
    actor = info.context.require_actor()

    async def op() -> licensing.ReleaseResult:
        license = await ids.load(LicenseRow, input.license_id, ("input", "licenseId"))
        user = await ids.load(UserRow, input.user_id, ("input", "userId"))
        return await licensing.reassign_license(actor=actor, license=license, to_user=user)

    try:
        result, uow = await seat_change(
            actor, input, "reassignLicense", op, encode=_encode_release, decode=_decode_release
        )
    except DomainError as exc:
        return ReassignLicensePayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    prev = result.previous_assignee
    return ReassignLicensePayload(
        license=License.from_row(result.license),
        previous_assignee=User.from_row(prev) if prev else None,
        disabled_booking_pages=_pages(result),
    )


async def adjust_seat_capacity(
    info: strawberry.Info, input: AdjustSeatCapacityInput
) -> AdjustSeatCapacityPayload:
    actor = info.context.require_actor()

    async def op() -> SeatPoolRow:
        tenant = await ids.load(TenantRow, input.tenant_id, ("input", "tenantId"))
        return await capacity.adjust_seat_capacity(
            actor=actor,
            tenant=tenant,
            product_code=input.product,
            capacity=input.capacity,
            unlimited=bool(input.unlimited),
            accept_terms=bool(input.accept_terms),
        )

    async def decode(d: dict[str, Any]) -> SeatPoolRow:
        return await SeatPoolRow.get(id=d["pool"])

    try:
        pool, uow = await seat_change(
            actor, input, "adjustSeatCapacity", op, encode=lambda p: {"pool": p.id}, decode=decode
        )
    except DomainError as exc:
        return AdjustSeatCapacityPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    invoice = await invoice_preview(pool.tenant_id)
    return AdjustSeatCapacityPayload(
        seat_pool=SeatPool.from_row(pool), next_invoice=InvoicePreview.from_invoice(invoice)
    )


async def attach_addon(info: strawberry.Info, input: AttachAddonInput) -> AttachAddonPayload:
    actor = info.context.require_actor()

    async def op() -> addons.AddonResult:
        base = await ids.load(LicenseRow, input.base_license_id, ("input", "baseLicenseId"))
        return await addons.attach_addon(actor=actor, base=base, product_code=input.product)

    async def decode(d: dict[str, Any]) -> addons.AddonResult:
        return addons.AddonResult(
            addon=await LicenseRow.get(id=d["addon"]), base=await LicenseRow.get(id=d["base"])
        )

    try:
        result, uow = await seat_change(
            actor,
            input,
            "attachAddon",
            op,
            encode=lambda r: {"addon": r.addon.id, "base": r.base.id},
            decode=decode,
        )
    except DomainError as exc:
        return AttachAddonPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return AttachAddonPayload(
        addon=License.from_row(result.addon), base_license=License.from_row(result.base)
    )


async def detach_addon(info: strawberry.Info, input: DetachAddonInput) -> DetachAddonPayload:
    actor = info.context.require_actor()

    async def op() -> LicenseRow:
        addon = await ids.load(LicenseRow, input.addon_license_id, ("input", "addonLicenseId"))
        return await addons.detach_addon(actor=actor, addon=addon)

    async def decode(d: dict[str, Any]) -> LicenseRow:
        return await LicenseRow.get(id=d["base"])

    try:
        base, uow = await seat_change(
            actor, input, "detachAddon", op, encode=lambda b: {"base": b.id}, decode=decode
        )
    except DomainError as exc:
        return DetachAddonPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return DetachAddonPayload(base_license=License.from_row(base))
