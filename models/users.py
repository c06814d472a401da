"""Tenants and users: creation, status changes and deletion, with their seat effects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError

from models.allowance import grant_allowance
from models.auth import Actor
from models.booking import BookingPage, hand_over_pages
from models.enums import LicenseState, Role, SeatEventKind, UserStatus
from models.errors import Duplicate, Forbidden, InvalidInput
from models.events import record_event
from models.licensing import release_license
from models.seats import License
from models.tenancy import Tenant, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _clean_name(name: str, fld: tuple[str, ...]) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name must be 1 to 200 characters.", field=fld)
    return name


def clean_email(email: str, fld: tuple[str, ...] = ("input", "email")) -> str:
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not a valid e-mail address.", field=fld)
    return email


async def create_tenant(*, actor: Actor, name: str) -> Tenant:
    """Operators create tenants. Raises Forbidden, InvalidInput."""
    actor.require_operator("create tenants")
    return await Tenant.create(name=_clean_name(name, ("input", "name")))


async def create_user(
    *,
    actor: Actor,
    tenant: Tenant,
    email: str,
    name: str,
    role: Role = Role.MEMBER,
    status: UserStatus = UserStatus.ACTIVE,
    increase_capacity: bool = False,
    accept_terms: bool = False,
) -> User:
    """Create a user; e-mail addresses are unique per tenant (case-insensitive). An
    ACTIVE or LOCKED user takes a seat of each BY_STATUS pool (user allowance).

    Raises NotFound, Forbidden, InvalidInput, Duplicate, SeatLimitReached,
    TermsNotAccepted, PoolOverAllocated.
    """
    actor.require_admin_of(tenant.id, field=("input", "tenantId"))
    email = clean_email(email)
    name = _clean_name(name, ("input", "name"))
    if await User.exists(tenant_id=tenant.id, email=email):
        raise Duplicate(f"{email} is already a user of this tenant.", field=("input", "email"))
    try:
        user = await User.create(
            tenant_id=tenant.id, email=email, name=name, role=role, status=status
        )
    except IntegrityError:
        raise Duplicate(
            f"{email} is already a user of this tenant.", field=("input", "email")
        ) from None
    await grant_allowance(
        actor=actor, user=user, increase_capacity=increase_capacity, accept_terms=accept_terms
    )
    return user


@dataclass
class UserChange:
    user: User
    released: list[License] = field(default_factory=list)


async def update_user(
    *,
    actor: Actor,
    user: User,
    name: str | None = None,
    role: Role | None = None,
    status: UserStatus | None = None,
    increase_capacity: bool = False,
    accept_terms: bool = False,
) -> UserChange:
    """Change a user's name, role or status.

    A status that cannot hold licences (INACTIVE, ROOM, RESOURCE, ASSET, QUEUE) frees
    the user's licences at once; becoming ACTIVE or LOCKED takes a seat of each BY_STATUS
    pool. Raises NotFound, Forbidden, InvalidInput, SeatLimitReached, TermsNotAccepted,
    PoolOverAllocated.
    """
    actor.require_admin_of(user.tenant_id, field=("input", "userId"))
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = _clean_name(name, ("input", "name"))
    if role is not None and role != user.role:
        changes["role"] = role
    old_status = user.status
    if status is not None and status != user.status:
        changes["status"] = status
    if not changes:
        return UserChange(user=user)
    await User.filter(id=user.id).update(**changes)
    user = await User.get(id=user.id)
    result = UserChange(user=user)
    if "status" in changes:
        if not user.status.licensable:
            result.released = await _release_all(user, actor)
        elif not old_status.licensable:
            await grant_allowance(
                actor=actor,
                user=user,
                increase_capacity=increase_capacity,
                accept_terms=accept_terms,
            )
        await record_event(
            tenant_id=user.tenant_id,
            kind=SeatEventKind.USER_STATUS_CHANGED,
            source=actor.source,
            actor_id=actor.user_id,
            user_id=user.id,
            message=f"{user.label} changed from {old_status.value} to {user.status.value}.",
        )
    return result


async def _release_all(user: User, actor: Actor) -> list[License]:
    held = await License.filter(assignee_id=user.id, state=LicenseState.ASSIGNED).order_by("id")
    return [(await release_license(license=lic, user=user, actor=actor)).license for lic in held]


async def delete_user(*, actor: Actor, user: User) -> list[License]:
    """Delete a user: free their licences (returned; their booking pages are disabled),
    then hand their booking pages, disabled, to the acting administrator (for an
    operator: the tenant's first administrator). Raises NotFound, Forbidden,
    InvalidInput."""
    actor.require_admin_of(user.tenant_id, field=("input", "userId"))
    if actor.user_id == user.id:
        raise Forbidden("You cannot delete yourself.", field=("input", "userId"))
    released = await _release_all(user, actor)
    if await BookingPage.exists(owner_id=user.id):
        heir = (
            actor.user
            or await User.filter(tenant_id=user.tenant_id, role=Role.ADMINISTRATOR)
            .exclude(id=user.id)
            .order_by("id")
            .first()
        )
        if heir is None:
            raise InvalidInput(
                "The user owns booking pages and the tenant has no other administrator "
                "to receive them: transfer them first.",
                field=("input", "userId"),
            )
        await hand_over_pages(owner=user, to=heir)
    await User.filter(id=user.id).delete()
    return released
