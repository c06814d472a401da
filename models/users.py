"""Tenants and users: creation, status changes and deletion, with their seat effects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError

from models.auth import Actor
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
) -> User:
    """Create a user; e-mail addresses are unique per tenant (case-insensitive).

    Raises NotFound, Forbidden, InvalidInput, Duplicate.
    """
    actor.require_admin_of(tenant.id, field=("input", "tenantId"))
    email = clean_email(email)
    name = _clean_name(name, ("input", "name"))
    if await User.exists(tenant_id=tenant.id, email=email):
        raise Duplicate(f"{email} is already a user of this tenant.", field=("input", "email"))
    try:
        return await User.create(
            tenant_id=tenant.id, email=email, name=name, role=role, status=status
        )
    except IntegrityError:
        raise Duplicate(
            f"{email} is already a user of this tenant.", field=("input", "email")
        ) from None


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
) -> UserChange:
    """Change a user's name, role or status.

    A status that cannot hold licences (INACTIVE, ROOM, RESOURCE, ASSET, QUEUE) frees
    the user's licences at once. Raises NotFound, Forbidden, InvalidInput.
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
    """Delete a user, first freeing their licences (returned). Raises NotFound,
    Forbidden, InvalidInput (deleting yourself)."""
    actor.require_admin_of(user.tenant_id, field=("input", "userId"))
    if actor.user_id == user.id:
        raise Forbidden("You cannot delete yourself.", field=("input", "userId"))
    released = await _release_all(user, actor)
    await User.filter(id=user.id).delete()
    return released
