"""Seat pools (counted seats per tenant and product) and licences (durable things)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import LicenseState

if TYPE_CHECKING:
    from models.catalog import Product
    from models.tenancy import Tenant, User


class SeatPool(Model):
    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="seat_pools", on_delete=fields.CASCADE
    )
    tenant_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="pools", on_delete=fields.RESTRICT
    )
    product_id: int
    # Purchased seats; NULL = unlimited.
    capacity = fields.IntField(null=True)
    # Licences of this pool currently assigned; changed only by guarded updates in the
    # same transaction as the licence rows (see models/licensing.py).
    assigned = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "seat_pool"
        unique_together = (("tenant", "product"),)

    @property
    def unlimited(self) -> bool:
        return self.capacity is None

    @property
    def available(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.assigned)

    @property
    def over_allocated(self) -> int:
        if self.capacity is None:
            return 0
        return max(0, self.assigned - self.capacity)


class License(Model):
    id = fields.IntField(primary_key=True)
    uuid = fields.UUIDField(unique=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="licenses", on_delete=fields.CASCADE
    )
    tenant_id: int
    pool: fields.ForeignKeyRelation[SeatPool] = fields.ForeignKeyField(
        "models.SeatPool", related_name="licenses", on_delete=fields.CASCADE
    )
    pool_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="licenses", on_delete=fields.RESTRICT
    )
    product_id: int
    state = fields.CharEnumField(LicenseState, max_length=16, default=LicenseState.AVAILABLE)
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="licenses", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    assigned_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    # Phone system configuration; travels with the licence between users.
    extension = fields.CharField(max_length=32, null=True)
    number = fields.CharField(max_length=32, null=True)
    # Add-ons hang off a base licence.
    base: fields.ForeignKeyNullableRelation[License] = fields.ForeignKeyField(
        "models.License", related_name="addons", null=True, on_delete=fields.SET_NULL
    )
    base_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "license"
        # One licence per product per user: NULL assignees (unassigned) never collide.
        # One add-on of a product per base licence, likewise.
        unique_together = (
            ("assignee", "product"),
            ("base", "product"),
            # extension keys and numbers (DIDs) are unique within a tenant
            ("tenant", "extension"),
            ("tenant", "number"),
        )
        # (tenant_id, id): a page of a tenant's licences in id order without sorting them all.
        indexes = (
            ("tenant_id", "state"),
            ("pool_id", "state"),
            ("tenant_id", "product_id"),
            ("tenant_id", "id"),
        )
        # Also: license_due, a partial index on expires_at (only seasonal assignments),
        # for the scheduler's "now due" scan; created in migration 0002 with raw SQL.
