"""The product and plan catalog, kept as data (models/catalog.toml) and loaded into tables."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import AssignmentMode, PlanMode, ProductKind


class Product(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(ProductKind, max_length=8)
    assignment = fields.CharEnumField(AssignmentMode, max_length=16)
    base_products: list[str] = fields.JSONField(default=list)
    # Price of a seat bought beyond a plan (manual or automatic increases).
    price_per_seat = fields.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        table = "product"


class Plan(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    mode = fields.CharEnumField(PlanMode, max_length=16)
    products: list[str] = fields.JSONField(default=list)
    price_per_seat = fields.DecimalField(max_digits=12, decimal_places=2)
    currency = fields.CharField(max_length=3, default="USD")
    changeable_to: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "plan"


class CatalogVersion(Model):
    """One row per catalog load: which file, which version, when."""

    id = fields.IntField(primary_key=True)
    version = fields.IntField()
    source = fields.CharField(max_length=500)
    loaded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "catalog_version"
