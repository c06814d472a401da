"""Mutation payloads: the changed objects plus typed userErrors."""

from __future__ import annotations

import strawberry

from schema.billing import InvoicePreview, PlanSubscription
from schema.common import UserError
from schema.notices import Delivery, DeliveryChannel
from schema.types import BookingPage, License, SeatPool, Tenant, User


@strawberry.type
class CreateTenantPayload:
    tenant: Tenant | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateUserPayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateUserPayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteUserPayload:
    deleted_user_id: strawberry.ID | None = None
    released_licenses: list[License] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateApiTokenPayload:
    token: str | None = strawberry.field(default=None, description="Shown once.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AssignLicensePayload:
    license: License | None = None
    seat_pool: SeatPool | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UnassignLicensePayload:
    license: License | None = None
    seat_pool: SeatPool | None = None
    disabled_booking_pages: list[BookingPage] = strawberry.field(
        default_factory=list,
        description=(
            "Booking pages disabled because their owner no longer holds a scheduling licence."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReassignLicensePayload:
    license: License | None = None
    previous_assignee: User | None = None
    disabled_booking_pages: list[BookingPage] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AdjustSeatCapacityPayload:
    seat_pool: SeatPool | None = None
    next_invoice: InvoicePreview | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AttachAddonPayload:
    addon: License | None = None
    base_license: License | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DetachAddonPayload:
    base_license: License | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateBookingPagePayload:
    booking_page: BookingPage | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SetBookingPageEnabledPayload:
    booking_page: BookingPage | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TransferBookingPagePayload:
    booking_page: BookingPage | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MarkNotificationsReadPayload:
    count: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateDeliveryChannelPayload:
    channel: DeliveryChannel | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="WEBHOOK: the signing secret, shown once (Seatgraph-Signature header).",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteDeliveryChannelPayload:
    deleted_channel_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RedeliverPayload:
    delivery: Delivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateSubscriptionPayload:
    subscription: PlanSubscription | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ChangePlanPayload:
    subscription: PlanSubscription | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CancelSubscriptionPayload:
    subscription: PlanSubscription | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AllocateSeatsPayload:
    subscription: PlanSubscription | None = None
    seat_pools: list[SeatPool] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TerminateLicensePayload:
    license: License | None = None
    seat_pool: SeatPool | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
