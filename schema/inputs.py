"""Input types: one per mutation, plus the licence filter."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.enums import ChannelKind, LicenseState, ProductKind, Role, SeatEventKind, UserStatus


@strawberry.input
class LicenseFilter:
    product: str | None = None
    kind: ProductKind | None = None
    state: LicenseState | None = None
    assignee_id: strawberry.ID | None = None
    assignee: str | None = strawberry.field(
        default=None,
        description="Search by user: matches assignee email or name (case-insensitive substring).",
    )
    extension: str | None = None
    uuid: str | None = None


@strawberry.input
class CreateTenantInput:
    name: str


@strawberry.input
class CreateUserInput:
    tenant_id: strawberry.ID
    email: str
    name: str
    role: Role | None = Role.MEMBER
    status: UserStatus | None = UserStatus.ACTIVE
    increase_capacity: bool | None = strawberry.field(
        default=False,
        description=(
            "When the tenant's user allowance (BY_STATUS seats) is full: buy one more seat."
        ),
    )
    accept_terms: bool | None = False


@strawberry.input
class UpdateUserInput:
    user_id: strawberry.ID
    name: str | None = None
    role: Role | None = None
    status: UserStatus | None = None
    increase_capacity: bool | None = False
    accept_terms: bool | None = False


@strawberry.input
class DeleteUserInput:
    user_id: strawberry.ID


@strawberry.input
class CreateApiTokenInput:
    user_id: strawberry.ID
    name: str | None = None


@strawberry.input
class AssignLicenseInput:
    user_id: strawberry.ID
    product: str | None = strawberry.field(
        default=None, description="Any available licence of this product ..."
    )
    license_id: strawberry.ID | None = strawberry.field(
        default=None, description="... or this very licence."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="Seasonal assignment: release the licence at this time."
    )
    increase_capacity: bool | None = strawberry.field(
        default=False, description="When no seat is free: buy one more (needs acceptTerms)."
    )
    accept_terms: bool | None = False
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class UnassignLicenseInput:
    license_id: strawberry.ID | None = None
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Alternatively: the user and product."
    )
    product: str | None = None
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class ReassignLicenseInput:
    license_id: strawberry.ID
    user_id: strawberry.ID
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class AdjustSeatCapacityInput:
    tenant_id: strawberry.ID
    product: str
    capacity: int | None = strawberry.field(
        default=None,
        description=(
            "The new number of purchased seats (creates the pool when the tenant has none)."
        ),
    )
    unlimited: bool | None = strawberry.field(
        default=False,
        description="Operators only: make the pool unlimited (capacity is then ignored).",
    )
    accept_terms: bool | None = False
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class AttachAddonInput:
    base_license_id: strawberry.ID
    product: str
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class DetachAddonInput:
    addon_license_id: strawberry.ID
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class CreateBookingPageInput:
    owner_id: strawberry.ID
    title: str
    slug: str | None = None
    enabled: bool | None = strawberry.field(
        default=True,
        description="Create it enabled (the owner needs a scheduled_meeting licence).",
    )


@strawberry.input
class SetBookingPageEnabledInput:
    booking_page_id: strawberry.ID
    enabled: bool


@strawberry.input
class TransferBookingPageInput:
    booking_page_id: strawberry.ID
    new_owner_id: strawberry.ID
    enable: bool | None = False


@strawberry.input
class MarkNotificationsReadInput:
    notification_ids: list[strawberry.ID] | None = None
    all: bool | None = strawberry.field(default=False, description="Or all of the tenant's.")
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="With `all`: the tenant (defaults to the caller's own)."
    )


@strawberry.input
class CreateDeliveryChannelInput:
    tenant_id: strawberry.ID
    kind: ChannelKind
    url: str | None = strawberry.field(default=None, description="WEBHOOK, SLACK and TEAMS.")
    recipients: list[str] | None = strawberry.field(
        default=None, description="EMAIL: addresses besides the tenant's administrators."
    )
    kinds: list[SeatEventKind] | None = strawberry.field(
        default=None,
        description="Only these event kinds (default: webhooks all, others the notices).",
    )


@strawberry.input
class DeleteDeliveryChannelInput:
    channel_id: strawberry.ID


@strawberry.input
class RedeliverInput:
    delivery_id: strawberry.ID


@strawberry.input
class SeatAllocationInput:
    product: str
    seats: int


@strawberry.input
class CreateSubscriptionInput:
    tenant_id: strawberry.ID
    plan: str
    quantity: int
    allocations: list[SeatAllocationInput] | None = None
    accept_terms: bool | None = False
    idempotency_key: str | None = None


@strawberry.input
class ChangePlanInput:
    subscription_id: strawberry.ID
    plan: str
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class CancelSubscriptionInput:
    subscription_id: strawberry.ID
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class AllocateSeatsInput:
    subscription_id: strawberry.ID
    allocations: list[SeatAllocationInput]
    idempotency_key: str | None = None
    dry_run: bool | None = False


@strawberry.input
class TerminateLicenseInput:
    uuid: str
    force: bool | None = strawberry.field(
        default=False, description="Also release it when assigned."
    )
    idempotency_key: str | None = None
    dry_run: bool | None = False
