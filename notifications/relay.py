"""The in-process event relay: after commit, read new events from the log and fan them out.

The table is the truth. A wake-up (``wake``, called after a commit in this process)
or the periodic poll makes the relay read each watched tenant's events past the last
sequence it relayed and offer them, in order, to that tenant's subscribers. Each
subscriber has a bounded queue; one that falls too far behind is ended with an error
and resumes from its last cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from models.events import SeatEvent
from models.tenancy import Tenant

log = logging.getLogger("seatgraph.relay")
BATCH = 500
# Subscribers woken per event-loop pass: each then runs its delivery step (about 0.1 ms),
# so a pass over a big audience stays a few milliseconds long.
OFFER_CHUNK = 64


class SubscriberTooSlow(Exception):
    def __init__(self, last_sequence: int | None) -> None:
        super().__init__(
            "Subscriber fell too far behind and was closed; "
            "subscribe again with `after` set to the last cursor you received."
        )
        self.last_sequence = last_sequence


class Subscriber:
    """One live subscription's bounded queue (a deque and one waiter: this is on the
    fan-out's hot path, once per subscriber per event)."""

    def __init__(self, tenant_id: int, floor: int, maxsize: int) -> None:
        self.tenant_id = tenant_id
        # Events with sequence <= floor are not delivered live (replay covers them).
        self.floor = floor
        self.maxsize = maxsize
        self.pending: deque[SeatEvent] = deque()
        self.overflowed = False
        self.last_delivered: int | None = None
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, event: SeatEvent) -> None:
        if self.overflowed or event.sequence <= self.floor:
            return
        if len(self.pending) >= self.maxsize:
            # The reader sees the flag once it has drained what was queued.
            self.overflowed = True
            return
        self.pending.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next(self) -> SeatEvent:
        while not self.pending:
            if self.overflowed:
                raise SubscriberTooSlow(self.last_delivered)
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        event = self.pending.popleft()
        self.last_delivered = event.sequence
        return event


class EventRelay:
    def __init__(self, *, poll_interval: float = 1.0, queue_size: int = 1000) -> None:
        self.poll_interval = poll_interval
        self.queue_size = queue_size
        self._subscribers: dict[int, set[Subscriber]] = {}
        self._relayed: dict[int, int] = {}
        self._dirty: set[int] = set()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.events_relayed = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def watched_tenants(self) -> int:
        return len(self._subscribers)

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="seatgraph-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self, tenant_ids: Iterable[int]) -> None:
        """Tell the relay that these tenants have new committed events."""
        ids = {t for t in tenant_ids if t in self._subscribers}
        if ids:
            self._dirty |= ids
            self._wakeup.set()

    def wake_all(self) -> None:
        """Catch up every watched tenant from the table (e.g. after a lost LISTEN)."""
        self.wake(list(self._subscribers))

    @asynccontextmanager
    async def subscribe(self, tenant_id: int) -> AsyncIterator[Subscriber]:
        if tenant_id not in self._relayed:
            seq: Any = await Tenant.filter(id=tenant_id).first().values_list("event_seq", flat=True)
            self._relayed.setdefault(tenant_id, int(seq or 0))
        subscriber = Subscriber(tenant_id, self._relayed[tenant_id], self.queue_size)
        self._subscribers.setdefault(tenant_id, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            group = self._subscribers.get(tenant_id)
            if group is not None:
                group.discard(subscriber)
                if not group:
                    del self._subscribers[tenant_id]
                    self._relayed.pop(tenant_id, None)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)
            self._wakeup.clear()
            dirty, self._dirty = self._dirty, set()
            try:
                if not dirty:
                    dirty = await self._changed_tenants()
                for tenant_id in dirty:
                    await self._relay_tenant(tenant_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly away; the poll retries
                log.exception("relay pass failed; retrying at the next poll")
                self._dirty |= dirty

    async def _changed_tenants(self) -> set[int]:
        watched = list(self._subscribers)
        if not watched:
            return set()
        rows = await Tenant.filter(id__in=watched).values_list("id", "event_seq")
        return {tid for tid, seq in rows if seq > self._relayed.get(tid, seq)}

    async def _relay_tenant(self, tenant_id: int) -> None:
        while tenant_id in self._subscribers:
            after = self._relayed[tenant_id]
            events = (
                await SeatEvent.filter(tenant_id=tenant_id, sequence__gt=after)
                .order_by("sequence")
                .limit(BATCH)
            )
            if tenant_id not in self._subscribers:
                return
            # Sequences are handed out under the tenant row lock, so they become
            # visible in order: relaying past `after` never skips an event.
            for event in events:
                self._relayed[tenant_id] = event.sequence
                self.events_relayed += 1
                group = list(self._subscribers.get(tenant_id, ()))
                for start in range(0, len(group), OFFER_CHUNK):
                    if start:
                        # Let the subscribers woken so far send (and other requests
                        # run) before waking more: one loop pass stays short.
                        await asyncio.sleep(0)
                    for subscriber in group[start : start + OFFER_CHUNK]:
                        subscriber.offer(event)
            if len(events) < BATCH:
                return
