"""Subscription fan-out: execute each event's selection once for all subscribers that share it.

graphql-core runs a subscription's selection set once per subscriber per event. With a
thousand open `seatEvents` subscriptions that is a thousand identical executions for
every notice (most of the fan-out CPU in a profile). Subscribers whose results are
bound to be equal share one execution:

* the same parsed operation (``DocumentCache`` hands out one document per query text),
* the same variables,
* the same visibility (an operator, an administrator of the event's tenant, or else
  one user: every field reachable from an event is decided by these), and
* the same event row (events are immutable once written).

The first subscriber to reach an event executes it; the others await that result.
Each event executes against fresh DataLoaders, so a long-lived connection never
answers from a cache filled by an earlier event.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Generic, TypeVar

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.context import Context
from resolvers.loaders import Loaders

MAX_SHARED = 4096
K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """A bounded memo keyed by object identity (FIFO eviction).

    The key object is kept with its value, so its id cannot be reused by another
    object while the entry lives. For values derived from objects that every
    subscriber of an event holds: the relay's event row, a shared result's data.
    """

    def __init__(self, make: Callable[[K], V], maxsize: int = 1024) -> None:
        self.make = make
        self.maxsize = maxsize
        self.entries: dict[int, tuple[K, V]] = {}

    def __call__(self, key: K) -> V:
        entry = self.entries.get(id(key))
        if entry is not None and entry[0] is key:
            return entry[1]
        value = self.make(key)
        if len(self.entries) >= self.maxsize:
            self.entries.pop(next(iter(self.entries)))
        self.entries[id(key)] = (key, value)
        return value


class _SharedResults:
    """Bounded LRU of in-flight or finished per-event executions."""

    def __init__(self, maxsize: int = MAX_SHARED) -> None:
        self.maxsize = maxsize
        self.entries: OrderedDict[tuple[Any, ...], tuple[Any, asyncio.Future[Any]]] = OrderedDict()
        self.executed = 0  # selections executed for an event (reported in /stats)
        self.shared = 0  # deliveries that reused one of them


shared_results = _SharedResults()


def _event_key(payload: Any) -> tuple[str, int] | None:
    row = getattr(payload, "row", None)
    if row is None or getattr(row, "_meta", None) is None:
        return None
    return (row._meta.db_table, row.pk)


def _visibility(context: Any) -> tuple[Any, ...] | None:
    actor = getattr(context, "actor", None)
    if actor is None:
        return None
    if actor.is_operator:
        return ("operator",)
    if actor.is_admin:
        return ("admin", actor.tenant_id)
    return ("user", actor.user_id)


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    """The schema's executor: queries and mutations as usual, subscription events shared."""

    _per_event = False
    _scope: tuple[Any, ...] | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        scope = self._share_scope()  # memoised on the subscription's executor
        event = _event_key(payload)
        if scope is not None and event is not None:
            entry = shared_results.entries.get((*scope, *event))
            if entry is not None and _finished(entry[1]):
                # Already executed for an equal subscriber: skip copying the executor.
                shared_results.shared += 1
                return _Done(entry[1].result())
        executor: Any = super().build_per_event_executor(payload)
        executor._per_event = True
        executor._scope = scope
        return executor

    def _execute_event(self, *args: Any, **kwargs: Any) -> Any:
        if isinstance(self.context_value, Context):
            # Fresh loaders per event: nothing cached from an earlier event answers.
            self.context_value = replace(self.context_value, loaders=Loaders())
        return super().execute_operation(*args, **kwargs)

    def _share_scope(self) -> tuple[Any, ...] | None:
        if self._scope is None:
            visibility = _visibility(self.context_value)
            if visibility is None:
                return None
            try:
                variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=str)
            except (TypeError, ValueError):
                return None
            self._scope = (id(self.operation), variables, visibility)
        return self._scope

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        if not self._per_event:
            return super().execute_operation(*args, **kwargs)
        event = _event_key(self.root_value)
        scope = self._scope if event is not None else None
        if scope is None:
            return self._execute_event(*args, **kwargs)
        key = (*scope, *event)  # type: ignore[misc]
        entries = shared_results.entries
        entry = entries.get(key)
        if entry is not None:
            entries.move_to_end(key)
            shared_results.shared += 1
            future = entry[1]
            if _finished(future):
                return future.result()
            return asyncio.shield(future)
        shared_results.executed += 1
        result = self._execute_event(*args, **kwargs)
        if self.is_awaitable(result):
            # Its own task: a subscriber that goes away does not cancel the others' result.
            future = asyncio.ensure_future(result)
            future.add_done_callback(lambda f: _forget_failed(key, f))
            out: Any = asyncio.shield(future)
        else:
            future = asyncio.get_running_loop().create_future()
            future.set_result(result)
            out = result
        # The operation node is kept with the entry so that its id is not reused.
        entries[key] = (self.operation, future)
        while len(entries) > shared_results.maxsize:
            entries.popitem(last=False)
        return out


def _finished(future: asyncio.Future[Any]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class _Done:
    """Stands in for a per-event executor whose result is already known."""

    __slots__ = ("result",)

    def __init__(self, result: Any) -> None:
        self.result = result

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        return self.result


def _forget_failed(key: tuple[Any, ...], future: asyncio.Future[Any]) -> None:
    if future.cancelled() or future.exception() is not None:
        shared_results.entries.pop(key, None)  # the next subscriber executes again
