"""GraphQL types that refer to no other object type: errors, money, the catalog, access."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from models import catalog as catalog_models
from models.access import AccessDecision
from models.enums import AccessDenial, AssignmentMode, ErrorCode, PlanMode, ProductKind
from schema import enums as _enums  # noqa: F401  (registers the GraphQL enums)


@strawberry.type
class UserError:
    field: list[str] | None
    message: str
    code: ErrorCode


@strawberry.type
class Money:
    amount: Decimal
    currency_code: str


@strawberry.type
class Product:
    code: str
    name: str
    kind: ProductKind
    assignment: AssignmentMode
    base_products: list[str]

    @classmethod
    def from_row(cls, row: catalog_models.Product) -> Product:
        return cls(
            code=row.code,
            name=row.name,
            kind=row.kind,
            assignment=row.assignment,
            base_products=list(row.base_products),
        )


@strawberry.type
class Plan:
    code: str
    name: str
    mode: PlanMode
    products: list[str]
    price_per_seat: Money
    changeable_to: list[str]

    @classmethod
    def from_row(cls, row: catalog_models.Plan) -> Plan:
        return cls(
            code=row.code,
            name=row.name,
            mode=row.mode,
            products=list(row.products),
            price_per_seat=Money(amount=Decimal(row.price_per_seat), currency_code=row.currency),
            changeable_to=list(row.changeable_to),
        )


@strawberry.type
class Access:
    product: str
    allowed: bool
    denial: AccessDenial | None
    message: str | None

    @classmethod
    def from_decision(cls, d: AccessDecision) -> Access:
        return cls(product=d.product, allowed=d.allowed, denial=d.denial, message=d.message)
