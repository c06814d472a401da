"""The durable event log (transactional outbox) and the unit of work that writes it.

Every change writes its SeatEvent inside the transaction that makes the change. The
writer bumps ``tenant.event_seq`` with a guarded update first, which row-locks the
tenant until commit: sequences are gap-free and their order is commit order. Nothing is
published before commit; the caller wakes the relay with ``UnitOfWork.tenant_ids``.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from tortoise import fields
from tortoise.connection import get_connection
from tortoise.exceptions import OperationalError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.enums import ChangeSource, SeatEventKind
from models.errors import NotFound

if TYPE_CHECKING:
    from models.seats import SeatPool
    from models.tenancy import Tenant, User

log = logging.getLogger("seatgraph.events")
T = TypeVar("T")


class SeatEvent(Model):
    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="events", on_delete=fields.CASCADE
    )
    tenant_id: int
    sequence = fields.BigIntField()
    kind = fields.CharEnumField(SeatEventKind, max_length=32)
    occurred_at = fields.DatetimeField(auto_now_add=True)
    source = fields.CharEnumField(ChangeSource, max_length=16)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="acted_events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    product = fields.CharField(max_length=64, null=True)
    delta = fields.IntField(null=True)
    # {"product", "capacity", "assigned", "available"} right after the event, or NULL.
    pool: dict[str, Any] | None = fields.JSONField(null=True)
    license_id = fields.IntField(null=True)
    user_id = fields.IntField(null=True)
    booking_page_ids: list[int] = fields.JSONField(default=list)
    message = fields.TextField()

    class Meta:
        table = "seat_event"
        unique_together = (("tenant", "sequence"),)


@dataclass
class UnitOfWork:
    dry_run: bool = False
    events: list[SeatEvent] = field(default_factory=list)
    # per-transaction memo (e.g. a tenant's delivery channels), dropped with it
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def tenant_ids(self) -> set[int]:
        return {e.tenant_id for e in self.events}


_current: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar(
    "seatgraph_uow", default=None
)


class _DryRunRollback(Exception):
    pass


NOTIFY_CHANNEL = "seatgraph_events"
_TRANSIENT = ("deadlock detected", "could not serialize", "database is locked")


async def run_use_case(
    fn: Callable[[], Awaitable[T]], *, dry_run: bool = False, attempts: int = 3
) -> tuple[T, UnitOfWork]:
    """Run ``fn`` as one transaction; roll it back when ``dry_run``.

    Returns the result and the unit of work (events written). A domain error raised by
    ``fn`` rolls everything back and propagates. Deadlocks and serialisation failures
    (PostgreSQL under contention) are retried from the start.
    """
    for attempt in range(1, attempts + 1):
        uow = UnitOfWork(dry_run=dry_run)
        token = _current.set(uow)
        result: T
        try:
            async with in_transaction() as connection:
                result = await fn()
                if dry_run:
                    raise _DryRunRollback
                if uow.events and connection.capabilities.dialect == "postgres":
                    # One tiny NOTIFY per tenant and transaction; sent only on commit.
                    for tenant_id in sorted(uow.tenant_ids):
                        await connection.execute_query(
                            "SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, str(tenant_id)]
                        )
        except _DryRunRollback:
            pass
        except OperationalError as exc:
            if attempt < attempts and any(t in str(exc).lower() for t in _TRANSIENT):
                log.warning("retrying use case after transient error: %s", exc)
                continue
            raise
        finally:
            _current.reset(token)
        return result, uow
    raise AssertionError("unreachable")


def pool_snapshot(pool: SeatPool, product_code: str) -> dict[str, Any]:
    return {
        "product": product_code,
        "capacity": pool.capacity,
        "assigned": pool.assigned,
        "available": pool.available,
    }


def seat_phrase(pool: SeatPool) -> str:
    if pool.capacity is None:
        return f"unlimited purchased, {pool.assigned} assigned"
    return f"{pool.capacity} purchased, {pool.assigned} assigned, {pool.available} available"


async def record_event(
    *,
    tenant_id: int,
    kind: SeatEventKind,
    source: ChangeSource,
    message: str,
    actor_id: int | None = None,
    product: str | None = None,
    delta: int | None = None,
    pool: dict[str, Any] | None = None,
    license_id: int | None = None,
    user_id: int | None = None,
    booking_page_ids: Iterable[int] = (),
) -> SeatEvent:
    """Append one event to the tenant's log, inside the caller's transaction."""
    seq = await _next_sequence(tenant_id)
    event = await SeatEvent.create(
        tenant_id=tenant_id,
        sequence=seq,
        kind=kind,
        source=source,
        actor_id=actor_id,
        product=product,
        delta=delta,
        pool=pool,
        license_id=license_id,
        user_id=user_id,
        booking_page_ids=list(booking_page_ids),
        message=message,
    )
    from models.notices import on_event

    uow = _current.get()
    await on_event(event, uow.cache if uow is not None else {})
    if uow is not None:
        uow.events.append(event)
    return event


async def _next_sequence(tenant_id: int) -> int:
    """Bump the tenant's sequence with a guarded update and read it back in one
    statement (UPDATE ... RETURNING, SQLite 3.35+ and PostgreSQL). The row lock it takes
    orders the tenant's event-writing transactions."""
    connection = get_connection("default")  # the transaction's own, when in one
    placeholder = "$1" if connection.capabilities.dialect == "postgres" else "?"
    rows = await connection.execute_query_dict(
        f'UPDATE "tenant" SET "event_seq" = "event_seq" + 1 WHERE "id" = {placeholder} '
        'RETURNING "event_seq"',
        [tenant_id],
    )
    if not rows:
        raise NotFound("Tenant not found.")
    return int(rows[0]["event_seq"])
