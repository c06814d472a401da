"""Resumable seat-event streams: register live first, replay, then go live."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection

from models.enums import SeatEventKind
from models.events import SeatEvent
from notifications.relay import EventRelay

REPLAY_BATCH = 500


async def seat_events(
    relay: EventRelay,
    *,
    tenant_id: int,
    after: int | None,
    kinds: Collection[SeatEventKind] | None = None,
) -> AsyncIterator[SeatEvent]:
    """Yield the tenant's events with sequence > ``after`` (or from now when None), in
    order, each once: replay from the table up to the live floor, then the live queue."""
    async with relay.subscribe(tenant_id) as subscriber:
        last = after
        if after is not None:
            while last is not None and last < subscriber.floor:
                batch = (
                    await SeatEvent.filter(
                        tenant_id=tenant_id, sequence__gt=last, sequence__lte=subscriber.floor
                    )
                    .order_by("sequence")
                    .limit(REPLAY_BATCH)
                )
                for event in batch:
                    last = event.sequence
                    if not kinds or event.kind in kinds:
                        yield event
                if len(batch) < REPLAY_BATCH:
                    break
        while True:
            event = await subscriber.next()
            if last is not None and event.sequence <= last:
                continue
            last = event.sequence
            if not kinds or event.kind in kinds:
                yield event
