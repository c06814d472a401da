"""Operations: Prometheus metrics, one JSON log line per request, readiness."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

access_log = logging.getLogger("seatgraph.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extra fields."""

    RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self.RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class LoopLag:
    """Event-loop lag: how late a periodic ``sleep(interval)`` wakes up.

    A blocked loop delays every request and every notice; this measures it from inside.
    ``max_ms`` is the worst lag since the last ``reset()`` (``GET /stats?reset=lag``).
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.last_ms = 0.0
        self.max_ms = 0.0
        self._task: asyncio.Task[None] | None = None
        # Garbage-collector pauses are one cause of lag: the longest is kept beside it.
        self.gc_max_ms = 0.0
        self._gc_started = 0.0

    def reset(self) -> None:
        self.max_ms = 0.0
        self.gc_max_ms = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            self.gc_max_ms = max(self.gc_max_ms, (time.perf_counter() - self._gc_started) * 1e3)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="seatgraph-loop-lag")
        gc.callbacks.append(self._on_gc)

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.interval)
            self.last_ms = max(0.0, (loop.time() - started - self.interval) * 1e3)
            self.max_ms = max(self.max_ms, self.last_ms)


class Metrics:
    def __init__(self, stats: Callable[[], dict[str, Any]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "seatgraph_graphql_requests",
            "GraphQL operations by name and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "seatgraph_graphql_request_seconds",
            "GraphQL operation duration",
            ["operation"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.refusals = Counter(
            "seatgraph_seat_limit_refusals",
            "Mutations refused with SEAT_LIMIT_REACHED",
            registry=self.registry,
        )
        self.registry.register(_ProcessStats(stats))

    async def render(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type="text/plain; version=0.0.4")


class _ProcessStats(Collector):
    """Counters kept by the relay and the delivery worker, read at scrape time."""

    def __init__(self, stats: Callable[[], dict[str, Any]]) -> None:
        self.stats = stats

    def collect(self) -> Iterable[Any]:
        s = self.stats()
        yield GaugeMetricFamily(
            "seatgraph_open_subscriptions", "Live seatEvents subscribers", s["subscribers"]
        )
        yield CounterMetricFamily(
            "seatgraph_events_relayed", "Events relayed to subscribers", s["eventsRelayed"]
        )
        yield CounterMetricFamily(
            "seatgraph_deliveries_sent",
            "Deliveries accepted by their receiver",
            s["deliveriesSent"],
        )
        yield CounterMetricFamily(
            "seatgraph_delivery_failures",
            "Delivery attempts that failed",
            s["deliveryAttemptsFailed"],
        )
        yield GaugeMetricFamily(
            "seatgraph_event_loop_lag_seconds",
            "How late the last periodic wake-up of the event loop was",
            s["loopLagMs"] / 1e3,
        )
        yield CounterMetricFamily(
            "seatgraph_delivery_attempts",
            "Delivery attempts made",
            s["deliveriesSent"] + s["deliveryAttemptsFailed"],
        )


def _codes(value: Any) -> Iterator[str]:
    """Every userErrors code in a result."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "userErrors" and isinstance(item, list):
                yield from (e.get("code", "") for e in item if isinstance(e, dict))
            else:
                yield from _codes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codes(item)


def request_observer(metrics: Metrics) -> type[SchemaExtension]:
    class Observe(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            elapsed = time.perf_counter() - started
            ctx = self.execution_context
            name = ctx.operation_name or (
                ctx.operation_type.value.lower() if ctx.graphql_document is not None else "invalid"
            )
            result = ctx.result
            codes = list(_codes(result.data)) if result is not None and result.data else []
            outcome = (
                "error" if result is not None and result.errors else "user_error" if codes else "ok"
            )
            metrics.requests.labels(name, outcome).inc()
            metrics.latency.labels(name).observe(elapsed)
            refusals = codes.count("SEAT_LIMIT_REACHED")
            if refusals:
                metrics.refusals.inc(refusals)
            context = ctx.context
            actor = getattr(context, "actor", None)
            access_log.info(
                "graphql %s %s",
                name,
                outcome,
                extra={
                    "operation": name,
                    "outcome": outcome,
                    "durationMs": round(elapsed * 1000, 2),
                    "requestId": getattr(context, "request_id", None),
                    "tenant": getattr(actor, "tenant_id", None),
                    "operator": bool(getattr(actor, "is_operator", False)),
                    "userErrorCodes": sorted(set(codes)) or None,
                },
            )

    return Observe
