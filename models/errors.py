"""Domain errors: each carries an ErrorCode and what a caller needs to explain it.

Adapters map them to GraphQL userErrors, HTTP statuses or CLI exit codes; raising one
inside a use case's transaction rolls the whole use case back.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.enums import ErrorCode


class DomainError(Exception):
    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(self, message: str, *, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = tuple(field) if field else None


class InvalidInput(DomainError):
    code = ErrorCode.INVALID_INPUT


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class Duplicate(DomainError):
    code = ErrorCode.DUPLICATE


class SeatLimitReached(DomainError):
    code = ErrorCode.SEAT_LIMIT_REACHED

    def __init__(self, *, product: str, capacity: int, field: Sequence[str] | None = None) -> None:
        super().__init__(
            f"No {product} seat is free: all {capacity} purchased seats are assigned. "
            "Unassign a licence, or buy more seats (increaseCapacity with acceptTerms).",
            field=field,
        )
        self.product = product
        self.capacity = capacity


class PoolOverAllocated(DomainError):
    code = ErrorCode.POOL_OVER_ALLOCATED

    def __init__(self, *, product: str, capacity: int, assigned: int) -> None:
        super().__init__(
            f"The {product} pool is over-allocated ({assigned} assigned, {capacity} purchased): "
            f"unassign {assigned - capacity} licence(s) or increase the capacity first."
        )
        self.product = product
        self.capacity = capacity
        self.assigned = assigned


class AlreadyAssigned(DomainError):
    code = ErrorCode.ALREADY_ASSIGNED


class NotAssigned(DomainError):
    code = ErrorCode.NOT_ASSIGNED


class UserNotLicensable(DomainError):
    code = ErrorCode.USER_NOT_LICENSABLE


class LicenseInUse(DomainError):
    code = ErrorCode.LICENSE_IN_USE


class LicenseTerminated(DomainError):
    code = ErrorCode.LICENSE_TERMINATED


class TermsNotAccepted(DomainError):
    code = ErrorCode.TERMS_NOT_ACCEPTED

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Buying seats increases the subscription: set acceptTerms to true to confirm.",
            field=("input", "acceptTerms"),
        )


class DecreaseRequiresAccountManager(DomainError):
    code = ErrorCode.DECREASE_REQUIRES_ACCOUNT_MANAGER

    def __init__(self) -> None:
        super().__init__(
            "Administrators can only increase seats; "
            "contact your account manager to decrease them.",
            field=("input", "capacity"),
        )


class IdempotencyKeyReused(DomainError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED

    def __init__(self) -> None:
        super().__init__(
            "This idempotencyKey was already used with a different input.",
            field=("input", "idempotencyKey"),
        )


class OwnerUnlicensed(DomainError):
    code = ErrorCode.OWNER_UNLICENSED


class BaseLicenseRequired(DomainError):
    code = ErrorCode.BASE_LICENSE_REQUIRED


class AddonNotCompatible(DomainError):
    code = ErrorCode.ADDON_NOT_COMPATIBLE


class ManagedByMarketplace(DomainError):
    code = ErrorCode.MANAGED_BY_MARKETPLACE


class PlanChangeNotAllowed(DomainError):
    code = ErrorCode.PLAN_CHANGE_NOT_ALLOWED


class SubscriptionCancelled(DomainError):
    code = ErrorCode.SUBSCRIPTION_CANCELLED


class AllocationExceedsPurchase(DomainError):
    code = ErrorCode.ALLOCATION_EXCEEDS_PURCHASE
