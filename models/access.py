"""Whether a user may use a product right now (the "No Permission" rule)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.timezone import now

from models.catalog_cache import catalog
from models.enums import AccessDenial, LicenseState, ProductKind, TenantStatus
from models.seats import License
from models.tenancy import Tenant, User

NO_PERMISSION_MESSAGE = "No Permission: ask your administrator for a licence"


@dataclass(frozen=True)
class AccessDecision:
    product: str
    allowed: bool
    denial: AccessDenial | None = None
    message: str | None = None


async def check_access(
    *, user: User | None, tenant: Tenant | None, product_code: str
) -> AccessDecision:
    """Allowed only with a live licence and a status that can log in.

    Denials, in order: SUBSCRIPTION_CANCELLED (tenant cancelled), CANNOT_LOG_IN
    (status other than ACTIVE), NO_PERMISSION (no licence). Raises NotFound for an
    unknown product.
    """
    product = await catalog.product(product_code, field=("product",))
    if user is None:
        return AccessDecision(
            product.code, False, AccessDenial.NO_PERMISSION, NO_PERMISSION_MESSAGE
        )
    if tenant is not None and tenant.status is TenantStatus.CANCELLED:
        return AccessDecision(
            product.code,
            False,
            AccessDenial.SUBSCRIPTION_CANCELLED,
            "Your organisation's subscription is cancelled: ask your administrator.",
        )
    if not user.can_log_in:
        return AccessDecision(
            product.code,
            False,
            AccessDenial.CANNOT_LOG_IN,
            f"Your account cannot log in (status {user.status.value}).",
        )
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=now())
    if product.kind is ProductKind.ADDON:
        held = await License.filter(
            live,
            product_id=product.id,
            state=LicenseState.ASSIGNED,
            base__assignee_id=user.id,
            base__state=LicenseState.ASSIGNED,
        ).exists()
    else:
        held = await License.filter(
            live, product_id=product.id, assignee_id=user.id, state=LicenseState.ASSIGNED
        ).exists()
    if held:
        return AccessDecision(product.code, True)
    return AccessDecision(product.code, False, AccessDenial.NO_PERMISSION, NO_PERMISSION_MESSAGE)
