"""Plan subscriptions: where seats come from, and what the next invoice will say.

A subscription contributes seats to the tenant's pools: a BUNDLE plan ``quantity`` seats
to each of its products, an A_LA_CARTE plan its ``allocations`` (at most ``quantity`` in
all). Pools of several subscriptions add up: every change applies the difference of
contributions through ``capacity.add_seats``, so manual adjustments are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.timezone import now

from models.auth import Actor
from models.capacity import MAX_CAPACITY, add_seats, require_not_marketplace_managed
from models.catalog import Plan
from models.catalog_cache import catalog
from models.enums import (
    ChangeSource,
    PlanMode,
    SeatEventKind,
    SubscriptionSource,
    SubscriptionStatus,
    TenantStatus,
)
from models.errors import (
    AllocationExceedsPurchase,
    InvalidInput,
    ManagedByMarketplace,
    NotFound,
    PlanChangeNotAllowed,
    SubscriptionCancelled,
    TermsNotAccepted,
)
from models.events import record_event
from models.seats import SeatPool
from models.tenancy import Tenant


class PlanSubscription(Model):
    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="subscriptions", on_delete=fields.CASCADE
    )
    tenant_id: int
    plan: fields.ForeignKeyRelation[Plan] = fields.ForeignKeyField(
        "models.Plan", related_name="subscriptions", on_delete=fields.RESTRICT
    )
    plan_id: int
    source = fields.CharEnumField(SubscriptionSource, max_length=16)
    partner = fields.CharField(max_length=64, null=True)
    external_id = fields.CharField(max_length=200, null=True)
    quantity = fields.IntField()
    status = fields.CharEnumField(
        SubscriptionStatus, max_length=16, default=SubscriptionStatus.ACTIVE
    )
    # A_LA_CARTE: [[product code, seats], ...] (a list keeps the order on PostgreSQL)
    allocation_pairs: list[list[Any]] = fields.JSONField(default=list, source_field="allocations")
    started_at = fields.DatetimeField(auto_now_add=True)
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "plan_subscription"
        unique_together = (("partner", "external_id"),)

    @property
    def allocations(self) -> dict[str, int]:
        return {str(code): int(seats) for code, seats in self.allocation_pairs}


@dataclass(frozen=True)
class Origin:
    """Who changes a subscription: a GraphQL caller, or a marketplace partner."""

    actor: Actor | None
    source: ChangeSource
    partner: str | None = None

    @property
    def actor_id(self) -> int | None:
        return self.actor.user_id if self.actor else None

    @property
    def who(self) -> str:
        if self.partner:
            return f"through the {self.partner} marketplace"
        if self.actor and self.actor.user:
            return f"by {self.actor.user.name}"
        return "by your account manager"

    @classmethod
    def of(cls, actor: Actor) -> Origin:
        return cls(actor=actor, source=actor.source)


def _pairs(allocations: dict[str, int]) -> list[list[Any]]:
    return [[code, seats] for code, seats in allocations.items()]


def contribution(plan: Plan, quantity: int, allocations: dict[str, int]) -> dict[str, int]:
    if plan.mode is PlanMode.BUNDLE:
        return {code: quantity for code in plan.products}
    return {code: seats for code, seats in allocations.items() if seats}


async def _apply(
    tenant_id: int, old: dict[str, int], new: dict[str, int], origin: Origin
) -> list[SeatPool]:
    pools = []
    for code in sorted(set(old) | set(new)):
        delta = new.get(code, 0) - old.get(code, 0)
        if delta:
            product = await catalog.product(code)
            pools.append(
                await add_seats(
                    tenant_id=tenant_id,
                    product=product,
                    delta=delta,
                    source=origin.source,
                    actor=origin.actor,
                )
            )
    return pools


async def _plan(code: str) -> Plan:
    for plan in await catalog.plans():
        if plan.code == code:
            return plan
    raise NotFound(f"Unknown plan {code!r}.", field=("input", "plan"))


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_CAPACITY:
        raise InvalidInput(
            f"quantity must be between 1 and {MAX_CAPACITY}.", field=("input", "quantity")
        )


def _check_allocations(plan: Plan, quantity: int, allocations: dict[str, int]) -> None:
    fld = ("input", "allocations")
    if plan.mode is PlanMode.BUNDLE:
        if allocations:
            raise InvalidInput(
                f"{plan.name} is a bundle: every product gets the quantity.", field=fld
            )
        return
    for code, seats in allocations.items():
        if code not in plan.products:
            raise InvalidInput(f"{code!r} is not part of the {plan.name} plan.", field=fld)
        if seats < 0:
            raise InvalidInput("Allocated seats cannot be negative.", field=fld)
    total = sum(allocations.values())
    if total > quantity:
        raise AllocationExceedsPurchase(
            f"{total} seats allocated but only {quantity} purchased.", field=fld
        )


MAX_LIST = 100


def allocation_map(pairs: list[tuple[str, int]] | None) -> dict[str, int]:
    if pairs is not None and len(pairs) > MAX_LIST:
        raise InvalidInput(f"At most {MAX_LIST} allocations.", field=("input", "allocations"))
    out: dict[str, int] = {}
    for code, seats in pairs or []:
        if code in out:
            raise InvalidInput(f"{code!r} appears twice.", field=("input", "allocations"))
        out[code] = seats
    return out


async def create_subscription(
    *,
    origin: Origin,
    tenant: Tenant,
    plan_code: str,
    quantity: int,
    allocations: dict[str, int] | None = None,
    accept_terms: bool = False,
    external_id: str | None = None,
    welcome: str = "",
) -> PlanSubscription:
    """Buy a plan. Through GraphQL administrators must accept terms, and tenants managed
    by a marketplace buy only there. Raises NotFound, Forbidden, InvalidInput,
    TermsNotAccepted, ManagedByMarketplace, AllocationExceedsPurchase."""
    if origin.actor is not None:
        origin.actor.require_admin_of(tenant.id, field=("input", "tenantId"))
        if not origin.actor.is_operator and not accept_terms:
            raise TermsNotAccepted()
        await require_not_marketplace_managed(tenant.id)
    plan = await _plan(plan_code)
    _check_quantity(quantity)
    allocations = allocations or {}
    _check_allocations(plan, quantity, allocations)
    subscription = await PlanSubscription.create(
        tenant_id=tenant.id,
        plan_id=plan.id,
        source=SubscriptionSource.MARKETPLACE if origin.partner else SubscriptionSource.DIRECT,
        partner=origin.partner,
        external_id=external_id,
        quantity=quantity,
        allocation_pairs=_pairs(allocations),
    )
    if tenant.status is TenantStatus.CANCELLED:
        await Tenant.filter(id=tenant.id).update(status=TenantStatus.ACTIVE)
    await _apply(tenant.id, {}, contribution(plan, quantity, allocations), origin)
    spread = (
        f" to allocate across {', '.join(plan.products)}"
        if plan.mode is PlanMode.A_LA_CARTE and not allocations
        else ""
    )
    await record_event(
        tenant_id=tenant.id,
        kind=SeatEventKind.SUBSCRIPTION_CREATED,
        source=origin.source,
        actor_id=origin.actor_id,
        message=(
            f"{plan.name} subscription started {origin.who}: {quantity} seats{spread}.{welcome}"
        ),
    )
    return subscription


async def _active(subscription: PlanSubscription, origin: Origin) -> Plan:
    if origin.actor is not None:
        origin.actor.require_admin_of(subscription.tenant_id, field=("input", "subscriptionId"))
        if subscription.source is SubscriptionSource.MARKETPLACE:
            raise ManagedByMarketplace(
                f"This subscription is managed by the {subscription.partner} marketplace: "
                f"change it in the {subscription.partner} portal.",
                field=("input", "subscriptionId"),
            )
    if subscription.status is SubscriptionStatus.CANCELLED:
        raise SubscriptionCancelled(
            "This subscription is cancelled.", field=("input", "subscriptionId")
        )
    return await Plan.get(id=subscription.plan_id)


async def change_plan(
    *, origin: Origin, subscription: PlanSubscription, plan_code: str
) -> PlanSubscription:
    """Move a subscription to another plan in place; only plans listed in
    ``changeableTo`` (StartUp <-> Professional). Raises NotFound, Forbidden,
    ManagedByMarketplace, SubscriptionCancelled, PlanChangeNotAllowed, InvalidInput."""
    old_plan = await _active(subscription, origin)
    new_plan = await _plan(plan_code)
    if new_plan.id == old_plan.id:
        raise InvalidInput(
            f"The subscription is already on {old_plan.name}.", field=("input", "plan")
        )
    if new_plan.code not in old_plan.changeable_to:
        raise PlanChangeNotAllowed(
            f"{old_plan.name} cannot change to {new_plan.name} in place: cancel this "
            f"subscription and purchase {new_plan.name} instead.",
            field=("input", "plan"),
        )
    allocations = {k: v for k, v in subscription.allocations.items() if k in new_plan.products}
    old = contribution(old_plan, subscription.quantity, subscription.allocations)
    new = contribution(new_plan, subscription.quantity, allocations)
    await PlanSubscription.filter(id=subscription.id, status=SubscriptionStatus.ACTIVE).update(
        plan_id=new_plan.id, allocation_pairs=_pairs(allocations)
    )
    await _apply(subscription.tenant_id, old, new, origin)
    direction = "upgraded" if new_plan.price_per_seat > old_plan.price_per_seat else "changed"
    await record_event(
        tenant_id=subscription.tenant_id,
        kind=SeatEventKind.PLAN_CHANGED,
        source=origin.source,
        actor_id=origin.actor_id,
        message=(
            f"Subscription {direction} from {old_plan.name} to {new_plan.name} {origin.who} "
            f"({subscription.quantity} seats)."
        ),
    )
    return await PlanSubscription.get(id=subscription.id)


async def cancel_subscription(
    *, origin: Origin, subscription: PlanSubscription
) -> PlanSubscription:
    """Cancel: its seats are removed (licences stay assigned, pools may be
    over-allocated); without another active subscription the tenant is CANCELLED and
    access is denied with SUBSCRIPTION_CANCELLED. Data is kept. Raises NotFound,
    Forbidden, ManagedByMarketplace, SubscriptionCancelled."""
    plan = await _active(subscription, origin)
    moment = now()
    await PlanSubscription.filter(id=subscription.id, status=SubscriptionStatus.ACTIVE).update(
        status=SubscriptionStatus.CANCELLED, cancelled_at=moment
    )
    await _apply(
        subscription.tenant_id,
        contribution(plan, subscription.quantity, subscription.allocations),
        {},
        origin,
    )
    remaining = await PlanSubscription.exists(
        tenant_id=subscription.tenant_id, status=SubscriptionStatus.ACTIVE
    )
    if not remaining:
        await Tenant.filter(id=subscription.tenant_id).update(status=TenantStatus.CANCELLED)
    await record_event(
        tenant_id=subscription.tenant_id,
        kind=SeatEventKind.SUBSCRIPTION_CANCELLED,
        source=origin.source,
        actor_id=origin.actor_id,
        message=(
            f"{plan.name} subscription cancelled {origin.who}; your data is kept"
            + ("." if remaining else " and access is suspended until you subscribe again.")
        ),
    )
    return await PlanSubscription.get(id=subscription.id)


async def change_quantity(
    *, origin: Origin, subscription: PlanSubscription, quantity: int
) -> PlanSubscription:
    """The marketplace changed the seat count. A la carte allocations shrink (last
    product first) when the budget falls below them. Raises SubscriptionCancelled,
    InvalidInput."""
    plan = await _active(subscription, origin)
    _check_quantity(quantity)
    allocations = dict(subscription.allocations)
    excess = sum(allocations.values()) - quantity
    for code in reversed(list(allocations)):
        if excess <= 0:
            break
        cut = min(excess, allocations[code])
        allocations[code] -= cut
        excess -= cut
    old = contribution(plan, subscription.quantity, subscription.allocations)
    new = contribution(plan, quantity, allocations)
    await PlanSubscription.filter(id=subscription.id).update(
        quantity=quantity, allocation_pairs=_pairs(allocations)
    )
    await _apply(subscription.tenant_id, old, new, origin)
    return await PlanSubscription.get(id=subscription.id)


async def allocate_seats(
    *, actor: Actor, subscription: PlanSubscription, allocations: dict[str, int]
) -> tuple[PlanSubscription, list[SeatPool]]:
    """Spread an a la carte subscription's purchased seats across its plan's products
    (administrators do this for marketplace subscriptions too). Products left out get
    none. Raises NotFound, Forbidden, InvalidInput, SubscriptionCancelled,
    AllocationExceedsPurchase."""
    actor.require_admin_of(subscription.tenant_id, field=("input", "subscriptionId"))
    if subscription.status is SubscriptionStatus.CANCELLED:
        raise SubscriptionCancelled(
            "This subscription is cancelled.", field=("input", "subscriptionId")
        )
    plan = await Plan.get(id=subscription.plan_id)
    if plan.mode is not PlanMode.A_LA_CARTE:
        raise InvalidInput(
            f"{plan.name} is a bundle: there is nothing to allocate.",
            field=("input", "subscriptionId"),
        )
    _check_allocations(plan, subscription.quantity, allocations)
    await PlanSubscription.filter(id=subscription.id).update(allocation_pairs=_pairs(allocations))
    pools = await _apply(
        subscription.tenant_id,
        contribution(plan, subscription.quantity, subscription.allocations),
        contribution(plan, subscription.quantity, allocations),
        Origin.of(actor),
    )
    return await PlanSubscription.get(id=subscription.id), pools


@dataclass
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass
class Invoice:
    lines: list[InvoiceLine]
    total: Decimal
    currency: str


async def invoice_preview(tenant_id: int) -> Invoice:
    """One line per active subscription, plus seats bought beyond them (manual or
    automatic increases) at the product's own price."""
    subscriptions = await PlanSubscription.filter(
        tenant_id=tenant_id, status=SubscriptionStatus.ACTIVE
    ).order_by("id")
    lines: list[InvoiceLine] = []
    covered: dict[str, int] = {}
    currency = "USD"
    for sub in subscriptions:
        plan = await Plan.get(id=sub.plan_id)
        currency = plan.currency
        price = Decimal(plan.price_per_seat)
        via = f" via {sub.partner}" if sub.partner else ""
        lines.append(
            InvoiceLine(f"{plan.name} plan{via}", sub.quantity, price, price * sub.quantity)
        )
        for code, seats in contribution(plan, sub.quantity, sub.allocations).items():
            covered[code] = covered.get(code, 0) + seats
    for pool in await SeatPool.filter(tenant_id=tenant_id, capacity__not_isnull=True).order_by(
        "id"
    ):
        product = await catalog.product_by_id(pool.product_id)
        extra = (pool.capacity or 0) - covered.get(product.code, 0)
        price = Decimal(product.price_per_seat)
        if extra > 0 and price > 0:
            lines.append(
                InvoiceLine(f"Additional {product.name} seats", extra, price, price * extra)
            )
    total = sum((line.amount for line in lines), Decimal("0.00"))
    return Invoice(lines=lines, total=total, currency=currency)
