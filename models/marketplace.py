"""Marketplace provisioning: partners create tenants and change their subscriptions.

Every authenticated request is recorded with its outcome; a request id is processed once
per partner (a replay returns the first response; the same id with another body is a
conflict). The rules are the same functions GraphQL calls, with the partner as origin.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models.billing import (
    Origin,
    PlanSubscription,
    cancel_subscription,
    change_plan,
    change_quantity,
    create_subscription,
)
from models.enums import ChangeSource, ChannelKind, Role
from models.errors import DomainError, InvalidInput, NotFound
from models.events import run_use_case
from models.globalids import to_global_id
from models.notices import DeliveryChannel
from models.tenancy import Tenant, User

TYPES = ("NET_NEW", "UPDATE", "CHANGE_PLAN", "CANCEL")
_REQUIRED = {
    "NET_NEW": ("companyId", "companyName", "adminEmail", "plan", "quantity", "subscriptionId"),
    "UPDATE": ("subscriptionId", "quantity"),
    "CHANGE_PLAN": ("subscriptionId", "plan"),
    "CANCEL": ("subscriptionId",),
}


class ProvisionRequest(Model):
    id = fields.IntField(primary_key=True)
    partner = fields.CharField(max_length=64)
    request_id = fields.CharField(max_length=200)
    type = fields.CharField(max_length=16)
    body_hash = fields.CharField(max_length=64)
    body: dict[str, Any] = fields.JSONField()
    status_code = fields.IntField()
    response: dict[str, Any] = fields.JSONField()
    tenant_id = fields.IntField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "provision_request"
        unique_together = (("partner", "request_id"),)


class BadRequest(Exception):
    """A malformed body: HTTP 400 naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Outcome:
    status_code: int
    body: dict[str, Any]
    tenant_ids: set[int]


def body_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def validate(body: Any) -> dict[str, Any]:
    """Check the fields a request type needs; raise BadRequest naming the first bad one."""
    if not isinstance(body, dict):
        raise BadRequest("body", "The body must be a JSON object.")
    for name in ("id", "type", "partner"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise BadRequest(name, f"{name} is required (a non-empty string).")
    if body["type"] not in TYPES:
        raise BadRequest("type", f"type must be one of {', '.join(TYPES)}.")
    for name in _REQUIRED[body["type"]]:
        value = body.get(name)
        if name == "quantity":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise BadRequest(name, "quantity must be a positive integer.")
        elif not isinstance(value, str) or not value.strip():
            raise BadRequest(name, f"{name} is required for {body['type']} (a non-empty string).")
    return body


async def _subscription(partner: str, external_id: str) -> PlanSubscription:
    row = await PlanSubscription.get_or_none(partner=partner, external_id=external_id)
    if row is None:
        raise NotFound(f"No subscription {external_id!r} from {partner}.")
    return row


async def _net_new(body: dict[str, Any], origin: Origin) -> tuple[Tenant, PlanSubscription]:
    from models.users import clean_email

    partner = body["partner"]
    if await PlanSubscription.exists(partner=partner, external_id=body["subscriptionId"]):
        raise InvalidInput(f"Subscription {body['subscriptionId']!r} already exists.")
    ref = f"{partner}:{body['companyId']}"
    tenant = await Tenant.get_or_none(external_ref=ref)
    if tenant is None:
        tenant = await Tenant.create(name=body["companyName"].strip()[:200], external_ref=ref)
        email = clean_email(body["adminEmail"], ("adminEmail",))
        await User.create(
            tenant_id=tenant.id, email=email, name=email.split("@")[0], role=Role.ADMINISTRATOR
        )
        # Marketplace tenants hear about every change by e-mail as well as in the app.
        await DeliveryChannel.create(tenant_id=tenant.id, kind=ChannelKind.EMAIL)
    subscription = await create_subscription(
        origin=origin,
        tenant=tenant,
        plan_code=body["plan"],
        quantity=body["quantity"],
        external_id=body["subscriptionId"],
        welcome=_next_steps(body),
    )
    return tenant, subscription


def _next_steps(body: dict[str, Any]) -> str:
    allocate = (
        " allocate your purchased seats to products (allocateSeats),"
        if body["plan"] == "a_la_carte"
        else ""
    )
    return (
        f" Welcome to Seatgraph! Next steps: sign in as {body['adminEmail'].strip().lower()},"
        f"{allocate} add your users, and assign them licences; seat changes are made in the "
        f"{body['partner']} portal."
    )


async def _apply(body: dict[str, Any]) -> tuple[Tenant, PlanSubscription]:
    origin = Origin(actor=None, source=ChangeSource.MARKETPLACE, partner=body["partner"])
    if body["type"] == "NET_NEW":
        return await _net_new(body, origin)
    subscription = await _subscription(body["partner"], body["subscriptionId"])
    if body["type"] == "UPDATE":
        subscription = await change_quantity(
            origin=origin, subscription=subscription, quantity=body["quantity"]
        )
    elif body["type"] == "CHANGE_PLAN":
        subscription = await change_plan(
            origin=origin, subscription=subscription, plan_code=body["plan"]
        )
    else:
        subscription = await cancel_subscription(origin=origin, subscription=subscription)
    return await Tenant.get(id=subscription.tenant_id), subscription


async def provision(raw: bytes, body: dict[str, Any]) -> Outcome:
    """Process one authenticated, well-formed request exactly once per (partner, id)."""
    partner, request_id, digest = body["partner"], body["id"], body_hash(raw)

    async def replay() -> Outcome | None:
        first = await ProvisionRequest.get_or_none(partner=partner, request_id=request_id)
        if first is None:
            return None
        if first.body_hash != digest:
            return Outcome(
                409,
                {
                    "status": "CONFLICT",
                    "message": f"Request {request_id!r} was already received with another body.",
                },
                set(),
            )
        return Outcome(first.status_code, first.response, set())

    done = await replay()
    if done is not None:
        return done

    def record(status: int, response: dict[str, Any], tenant_id: int | None) -> Any:
        return ProvisionRequest.create(
            partner=partner,
            request_id=request_id,
            type=body["type"],
            body_hash=digest,
            body=body,
            status_code=status,
            response=response,
            tenant_id=tenant_id,
        )

    async def fulfil() -> dict[str, Any]:
        tenant, subscription = await _apply(body)
        response = {
            "status": "FULFILLED",
            "tenantId": to_global_id("Tenant", tenant.id),
            "subscriptionId": to_global_id("PlanSubscription", subscription.id),
        }
        await record(200, response, tenant.id)
        return response

    try:
        response, uow = await run_use_case(fulfil)
        return Outcome(200, response, uow.tenant_ids)
    except IntegrityError:
        done = await replay()  # a concurrent duplicate won the race
        if done is not None:
            return done
        raise
    except DomainError as exc:
        rejected = {"status": "REJECTED", "code": exc.code.value, "message": exc.message}
        try:
            await record(422, rejected, None)
        except IntegrityError:
            done = await replay()
            if done is not None:
                return done
        return Outcome(422, rejected, set())
