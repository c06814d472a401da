"""The root Subscription type."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from resolvers import subscription as r
from schema.types import SeatEvent


@strawberry.type
class Subscription:
    seat_events: AsyncGenerator[SeatEvent, None] = strawberry.subscription(
        resolver=r.seat_events,
        description=(
            "Live seat events of one tenant. With `after`, first replays every later event\n"
            "from the durable log, then continues live: no gap, no duplicate."
        ),
    )
