"""PostgreSQL LISTEN for relay wake-ups from other server processes.

Writers ``pg_notify('seatgraph_events', '<tenant id>')`` inside their transaction, so a
notification arrives only for committed events. A lost connection is reconnected with
backoff, and the relay then catches up from the table; the relay's periodic poll covers
whatever is missed in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from models.events import NOTIFY_CHANNEL
from notifications.relay import EventRelay

log = logging.getLogger("seatgraph.pg_wakeup")


def asyncpg_dsn(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))


class PgWakeups:
    def __init__(self, database_url: str, relay: EventRelay, *, max_backoff: float = 10.0) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.relay = relay
        self.max_backoff = max_backoff
        self.connected = asyncio.Event()
        self.reconnects = 0
        self._task: asyncio.Task[None] | None = None
        self._conn: Any = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="seatgraph-pg-wakeup")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload.isdigit():
            self.relay.wake([int(payload)])

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            lost = asyncio.Event()
            try:
                self._conn = await asyncpg.connect(self.dsn)
                self._conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await self._conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
                self.connected.set()
                backoff = 0.2
                self.relay.wake_all()  # whatever happened while we were not listening
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), 5.0)
                    if not lost.is_set():
                        # a cheap liveness check: a dead socket raises here
                        await asyncio.wait_for(self._conn.execute("SELECT 1"), 5.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("LISTEN connection lost (%s); reconnecting in %.1fs", exc, backoff)
            self.connected.clear()
            self.reconnects += 1
            if self._conn is not None and not self._conn.is_closed():
                with contextlib.suppress(Exception):
                    await self._conn.close()
            await asyncio.sleep(backoff)
            backoff = min(self.max_backoff, backoff * 2)
