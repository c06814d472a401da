"""Booking page mutations."""

from __future__ import annotations

import strawberry

from models import booking
from models.booking import BookingPage as BookingPageRow
from models.errors import DomainError
from models.events import run_use_case
from models.tenancy import User as UserRow
from resolvers import ids
from resolvers.errors import user_errors
from schema.inputs import (
    CreateBookingPageInput,
    SetBookingPageEnabledInput,
    TransferBookingPageInput,
)
from schema.payloads import (
    CreateBookingPagePayload,
    SetBookingPageEnabledPayload,
    TransferBookingPagePayload,
)
from schema.types import BookingPage


async def create_booking_page(
    info: strawberry.Info, input: CreateBookingPageInput
) -> CreateBookingPagePayload:
    actor = info.context.require_actor()

    async def op() -> BookingPageRow:
        owner = await ids.load(UserRow, input.owner_id, ("input", "ownerId"))
        return await booking.create_booking_page(
            actor=actor,
            owner=owner,
            title=input.title,
            slug=input.slug,
            enabled=input.enabled is not False,
        )

    try:
        page, uow = await run_use_case(op)
    except DomainError as exc:
        return CreateBookingPagePayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return CreateBookingPagePayload(booking_page=BookingPage.from_row(page))


async def set_booking_page_enabled(
    info: strawberry.Info, input: SetBookingPageEnabledInput
) -> SetBookingPageEnabledPayload:
    actor = info.context.require_actor()

    async def op() -> BookingPageRow:
        page = await ids.load(BookingPageRow, input.booking_page_id, ("input", "bookingPageId"))
        return await booking.set_booking_page_enabled(actor=actor, page=page, enabled=input.enabled)

    try:
        page, uow = await run_use_case(op)
    except DomainError as exc:
        return SetBookingPageEnabledPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return SetBookingPageEnabledPayload(booking_page=BookingPage.from_row(page))


async def transfer_booking_page(
    info: strawberry.Info, input: TransferBookingPageInput
) -> TransferBookingPagePayload:
    actor = info.context.require_actor()

    async def op() -> BookingPageRow:
        page = await ids.load(BookingPageRow, input.booking_page_id, ("input", "bookingPageId"))
        owner = await ids.load(UserRow, input.new_owner_id, ("input", "newOwnerId"))
        return await booking.transfer_booking_page(
            actor=actor, page=page, new_owner=owner, enable=bool(input.enable)
        )

    try:
        page, uow = await run_use_case(op)
    except DomainError as exc:
        return TransferBookingPagePayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return TransferBookingPagePayload(booking_page=BookingPage.from_row(page))
