"""Who is acting (operator, administrator, member) and what they may touch; API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from models.enums import ChangeSource, Role
from models.errors import Forbidden, NotFound
from models.tenancy import ApiToken, Tenant, User


@dataclass(frozen=True)
class Actor:
    """The authenticated caller. Operators have no user and see every tenant."""

    user: User | None = None
    is_operator: bool = False

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def tenant_id(self) -> int | None:
        return self.user.tenant_id if self.user else None

    @property
    def tenant(self) -> Tenant | None:
        """The caller's tenant row when authentication fetched it (it does), else None."""
        related = getattr(self.user, "tenant", None) if self.user else None
        return related if isinstance(related, Tenant) else None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.role == Role.ADMINISTRATOR

    @property
    def source(self) -> ChangeSource:
        return ChangeSource.OPERATOR if self.is_operator else ChangeSource.ADMIN

    def can_see_tenant(self, tenant_id: int) -> bool:
        return self.is_operator or self.tenant_id == tenant_id

    def can_manage_tenant(self, tenant_id: int) -> bool:
        return self.is_operator or (self.tenant_id == tenant_id and self.is_admin)

    def can_see_user(self, user: User) -> bool:
        """Administrators see their tenant's users; members only themselves."""
        return self.can_manage_tenant(user.tenant_id) or self.user_id == user.id

    def require_admin_of(self, tenant_id: int, *, field: tuple[str, ...] | None = None) -> None:
        """Raise NotFound for another tenant (no hint it exists), Forbidden for a member."""
        if self.is_operator:
            return
        if self.tenant_id != tenant_id:
            raise NotFound("Not found.", field=field)
        if not self.is_admin:
            raise Forbidden("Only an administrator of the tenant may do this.", field=field)

    def require_operator(self, what: str) -> None:
        if not self.is_operator:
            raise Forbidden(f"Only an operator may {what}.")


OPERATOR = Actor(is_operator=True)

TOKEN_PREFIX = "sg_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def authenticate(token: str, *, operator_token: str | None) -> Actor | None:
    """Resolve a bearer token. Only users who can log in (status ACTIVE) authenticate."""
    if not token:
        return None
    if operator_token and hmac.compare_digest(token.encode(), operator_token.encode()):
        return OPERATOR
    # one statement: the token, its user and the user's tenant (the viewer reads it)
    row = await ApiToken.filter(token_hash=hash_token(token)).select_related("user__tenant").first()
    if row is None or not row.user.can_log_in:
        return None
    return Actor(user=row.user)


async def issue_token(*, actor: Actor, user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return it (it is never retrievable again).

    Administrators issue tokens for their tenant's users; anyone for themselves.
    Raises NotFound, Forbidden, or InvalidInput when the user cannot log in.
    """
    from models.errors import InvalidInput

    if actor.user_id != user.id:
        actor.require_admin_of(user.tenant_id, field=("input", "userId"))
    if not user.can_log_in:
        raise InvalidInput(
            f"{user.email} cannot log in (status {user.status.value}); no token issued.",
            field=("input", "userId"),
        )
    token = new_token()
    await ApiToken.create(user_id=user.id, token_hash=hash_token(token), name=name[:100])
    return token
