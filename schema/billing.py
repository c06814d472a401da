"""GraphQL types of subscriptions, invoices and marketplace provisioning requests."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import strawberry

from models import billing, marketplace
from models.enums import SubscriptionSource, SubscriptionStatus
from schema.common import Money, Plan
from schema.relay import Node, to_global_id
from schema.types import Tenant

strawberry.enum(SubscriptionSource)
strawberry.enum(SubscriptionStatus)


@strawberry.type
class SeatAllocation:
    product: str
    seats: int


@strawberry.type
class PlanSubscription(Node):
    row: strawberry.Private[billing.PlanSubscription]
    source: SubscriptionSource
    external_id: str | None = strawberry.field(
        description="Marketplace reference (partner's subscription id), when source is MARKETPLACE."
    )
    quantity: int
    status: SubscriptionStatus
    allocations: list[SeatAllocation] = strawberry.field(
        description="A_LA_CARTE: how the purchased quantity is spread across products."
    )
    started_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def from_row(cls, row: billing.PlanSubscription) -> PlanSubscription:
        return cls(
            row=row,
            id=to_global_id("PlanSubscription", row.id),
            source=row.source,
            external_id=row.external_id,
            quantity=row.quantity,
            status=row.status,
            allocations=[SeatAllocation(product=k, seats=v) for k, v in row.allocations.items()],
            started_at=row.started_at,
            cancelled_at=row.cancelled_at,
        )

    @strawberry.field
    async def plan(self) -> Plan:
        from models.catalog_cache import catalog

        for plan in await catalog.plans():
            if plan.id == self.row.plan_id:
                return Plan.from_row(plan)
        raise LookupError(self.row.plan_id)


@strawberry.type
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Money
    amount: Money


@strawberry.type
class InvoicePreview:
    lines: list[InvoiceLine]
    total: Money

    @classmethod
    def from_invoice(cls, invoice: billing.Invoice) -> InvoicePreview:
        def money(amount: Decimal) -> Money:
            return Money(amount=amount.quantize(Decimal("0.01")), currency_code=invoice.currency)

        return cls(
            lines=[
                InvoiceLine(
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=money(line.unit_price),
                    amount=money(line.amount),
                )
                for line in invoice.lines
            ],
            total=money(invoice.total),
        )


@strawberry.type(description="A request received from a marketplace partner, and its outcome.")
class ProvisionRequest(Node):
    row: strawberry.Private[marketplace.ProvisionRequest]
    partner: str
    request_id: str
    type: str
    status_code: int = strawberry.field(description="The HTTP status answered.")
    response: str = strawberry.field(description="The JSON body answered.")
    body: str = strawberry.field(description="The JSON body received.")
    received_at: datetime

    @classmethod
    def from_row(cls, row: marketplace.ProvisionRequest) -> ProvisionRequest:
        return cls(
            row=row,
            id=to_global_id("ProvisionRequest", row.id),
            partner=row.partner,
            request_id=row.request_id,
            type=row.type,
            status_code=row.status_code,
            response=json.dumps(row.response, sort_keys=True),
            body=json.dumps(row.body, sort_keys=True),
            received_at=row.received_at,
        )

    @strawberry.field
    async def tenant(self, info: strawberry.Info) -> Tenant | None:
        if self.row.tenant_id is None:
            return None
        row = await info.context.loaders.tenant.load(self.row.tenant_id)
        return Tenant.from_row(row) if row else None
