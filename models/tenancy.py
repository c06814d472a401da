"""Tenants, their users and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import Role, TenantStatus, UserStatus

if TYPE_CHECKING:
    from models.seats import License, SeatPool


class Tenant(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    status = fields.CharEnumField(TenantStatus, max_length=16, default=TenantStatus.ACTIVE)
    # Last per-tenant event sequence; bumped by a guarded update in every event-writing
    # transaction, which also serialises those transactions (see models/events.py).
    event_seq = fields.BigIntField(default=0)
    # "<partner>:<company id>" for tenants a marketplace created.
    external_ref = fields.CharField(max_length=300, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    users: fields.ReverseRelation[User]
    seat_pools: fields.ReverseRelation[SeatPool]

    class Meta:
        table = "tenant"


class User(Model):
    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="users", on_delete=fields.CASCADE
    )
    tenant_id: int
    email = fields.CharField(max_length=254)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16, default=Role.MEMBER)
    status = fields.CharEnumField(UserStatus, max_length=16, default=UserStatus.ACTIVE)
    created_at = fields.DatetimeField(auto_now_add=True)

    licenses: fields.ReverseRelation[License]

    class Meta:
        table = "user"
        unique_together = (("tenant", "email"),)
        indexes = (("tenant_id", "status"), ("tenant_id", "id"))  # (tenant_id, id): keyset pages

    @property
    def can_log_in(self) -> bool:
        return UserStatus(self.status).can_log_in

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"


class ApiToken(Model):
    """A bearer token. Only its SHA-256 is stored: the token itself is shown once."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_token"
