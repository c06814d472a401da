"""Optional per-request SQL statement counting (SEATGRAPH_QUERY_STATS=true).

Counts what Tortoise logs on ``tortoise.db_client`` while an operation runs and reports
it as ``extensions.sqlStatements``; tests and benchmarks use it to prove that a page of
100 costs a constant number of statements.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

_counter: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "seatgraph_sql_counter", default=None
)


class _CountingHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        counter = _counter.get()
        if counter is not None and not str(record.msg).startswith(("Created", "Closed")):
            counter[0] += 1


def install() -> None:
    logger = logging.getLogger("tortoise.db_client")
    if not any(isinstance(h, _CountingHandler) for h in logger.handlers):
        logger.addHandler(_CountingHandler())
        logger.setLevel(logging.DEBUG)
        logger.propagate = False


class QueryStats(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        self.counter = [0]
        token = _counter.set(self.counter)
        try:
            yield
        finally:
            _counter.reset(token)

    def get_results(self) -> dict[str, Any]:
        return {"sqlStatements": self.counter[0]}
