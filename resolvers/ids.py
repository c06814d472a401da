"""Decoding global IDs into rows. A wrong type, a malformed ID and an invisible object
all read as NotFound: callers never learn that another tenant's object exists."""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model

from models.billing import PlanSubscription
from models.booking import BookingPage
from models.errors import NotFound
from models.events import SeatEvent
from models.notices import Delivery, DeliveryChannel, Notification
from models.seats import License, SeatPool
from models.tenancy import Tenant, User
from schema.relay import from_global_id

M = TypeVar("M", bound=Model)

NODE_MODELS: dict[str, type[Model]] = {
    "Tenant": Tenant,
    "User": User,
    "SeatPool": SeatPool,
    "License": License,
    "SeatEvent": SeatEvent,
    "BookingPage": BookingPage,
    "Notification": Notification,
    "DeliveryChannel": DeliveryChannel,
    "Delivery": Delivery,
    "PlanSubscription": PlanSubscription,
}


def decode(global_id: str, type_name: str, field: tuple[str, ...]) -> int:
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        raise NotFound(f"No {type_name} with this ID.", field=field)
    return decoded[1]


async def load(model: type[M], global_id: str, field: tuple[str, ...]) -> M:
    """The row behind a global ID of ``model``'s type, or NotFound."""
    type_name = next(k for k, v in NODE_MODELS.items() if v is model)
    row = await model.get_or_none(id=decode(global_id, type_name, field))
    if row is None:
        raise NotFound(f"No {type_name} with this ID.", field=field)
    return row
