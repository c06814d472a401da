"""The ASGI application: GraphQL over HTTP and WebSocket, health, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from strawberry.extensions import SchemaExtension
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.migrations.executor import MigrationExecutor

from models.auth import authenticate
from models.catalog_cache import catalog
from models.schedule import release_expired
from models.seats import SeatPool
from notifications.delivery import DeliveryWorker, SmtpSender
from notifications.pg_wakeup import PgWakeups
from notifications.relay import EventRelay
from schema import build_schema
from schema.fanout import shared_results
from server import phone_routes, querystats
from server.db import tortoise_config
from server.errors import MaskUnexpectedErrors
from server.graphql_view import SeatgraphGraphQL, bearer
from server.limits import BodySizeLimit, Buckets, rate_limiter
from server.marketplace import provision_endpoint
from server.observability import LoopLag, Metrics, request_observer
from server.settings import Settings, load_settings

log = logging.getLogger("seatgraph")
DASHBOARD = Path(__file__).with_name("dashboard")


class SchemaNotCurrent(RuntimeError):
    pass


async def _check_migrations(database_url: str) -> None:
    apps = tortoise_config(database_url)["apps"]
    plan = await MigrationExecutor(get_connection("default"), apps).plan(None)
    pending = [f"{s.migration.app_label}.{s.migration.name}" for s in plan if not s.backward]
    if pending:
        raise SchemaNotCurrent(
            f"database schema is not current ({', '.join(pending)} pending): "
            "run `seatgraph migrate` first"
        )


async def _scheduler(relay: EventRelay, delivery: DeliveryWorker, interval: float) -> None:
    """Due work (seasonal assignments ending), first at start-up to catch up after
    downtime. Each item is claimed by a guarded update, so with several processes each
    runs exactly once."""
    while True:
        try:
            tenants = await release_expired()
            if tenants:
                relay.wake(tenants)
                delivery.wake()
        except Exception:
            log.exception("scheduled work failed; retrying")
        await asyncio.sleep(interval)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    relay = EventRelay(
        poll_interval=settings.relay_poll_interval, queue_size=settings.subscriber_queue_size
    )
    delivery = DeliveryWorker(
        smtp=SmtpSender(settings.smtp_url, settings.mail_from) if settings.smtp_url else None,
        max_attempts=settings.delivery_max_attempts,
        backoff=settings.delivery_backoff,
        poll_interval=settings.delivery_poll_interval,
    )
    wakeups = None if settings.is_sqlite else PgWakeups(settings.database_url, relay)

    loop_lag = LoopLag()

    def process_stats() -> dict[str, object]:
        return {
            "subscribers": relay.subscriber_count,
            "watchedTenants": relay.watched_tenants,
            "eventsRelayed": relay.events_relayed,
            "tasks": len(asyncio.all_tasks()),
            "listenConnected": wakeups.connected.is_set() if wakeups else None,
            "listenReconnects": wakeups.reconnects if wakeups else None,
            "deliveriesSent": delivery.sent,
            "deliveryAttemptsFailed": delivery.failed_attempts,
            "loopLagMs": round(loop_lag.last_ms, 2),
            "loopLagMaxMs": round(loop_lag.max_ms, 2),
            "gcPauseMaxMs": round(loop_lag.gc_max_ms, 2),
            "fanoutExecuted": shared_results.executed,
            "fanoutShared": shared_results.shared,
        }

    metrics = Metrics(process_stats)
    extensions: list[type[SchemaExtension]] = [MaskUnexpectedErrors, request_observer(metrics)]
    if settings.query_stats:
        querystats.install()
        extensions.append(querystats.QueryStats)
    if settings.rate_limit:
        extensions.append(rate_limiter(Buckets(settings.rate_limit)))
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        introspection=settings.introspection,
        extra_extensions=extensions,
    )
    graphql = SeatgraphGraphQL(
        schema,
        relay=relay,
        delivery=delivery,
        operator_token=settings.operator_token,
        graphql_ide="graphiql" if settings.graphiql else None,
        multipart_uploads_enabled=True,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        max_connections_per_token=settings.max_connections_per_token,
        allowed_origins=settings.cors_origins,
    )

    def published(tenant_ids: set[int]) -> None:
        if tenant_ids:
            relay.wake(tenant_ids)
            delivery.wake()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def stats(request: Request) -> JSONResponse:
        """Process internals, for tests and operators: nothing tenant-specific.

        ``?reset=lag`` starts a new window for ``loopLagMaxMs`` (after reading it)."""
        body = process_stats()
        if request.query_params.get("reset") == "lag":
            loop_lag.reset()
        return JSONResponse(body)

    async def readyz(request: Request) -> JSONResponse:
        """Ready to serve: database reachable, migrations applied, relay and workers running."""
        checks: dict[str, str] = {}
        try:
            await get_connection("default").execute_query("SELECT 1")
            checks["database"] = "ok"
            await _check_migrations(settings.database_url)
            checks["migrations"] = "ok"
        except SchemaNotCurrent as exc:
            checks["migrations"] = str(exc)
        except Exception as exc:  # unreachable database
            checks.setdefault("database", f"unreachable: {type(exc).__name__}")
        checks["relay"] = "ok" if relay.running else "stopped"
        checks["deliveries"] = "ok" if delivery.running else "stopped"
        if wakeups is not None:
            checks["listen"] = "ok" if wakeups.connected.is_set() else "reconnecting"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            await _check_migrations(settings.database_url)
            await loop_lag.start()
            await relay.start()
            await delivery.start()
            if wakeups is not None:
                await wakeups.start()
            expiry = asyncio.create_task(
                _scheduler(relay, delivery, settings.scheduler_interval), name="seatgraph-scheduler"
            )
            # Everything loaded so far (modules, schema, catalogue) lives as long as the
            # process: keep it out of the garbage collector's full passes, whose length
            # otherwise shows up as event-loop lag (docs/performance.md).
            gc.collect()
            gc.freeze()
            # Fewer, cheaper collections: with many subscribers a notice's fan-out makes
            # thousands of short-lived objects; at the default (700, 10, 10) enough of
            # them survive a young pass to trigger full passes of 100-200 ms over every
            # subscriber's objects (measured as event-loop lag, docs/performance.md).
            gc.set_threshold(50_000, 20, 100)
            try:
                yield
            finally:
                expiry.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await expiry
                if wakeups is not None:
                    await wakeups.stop()
                await delivery.stop()
                await relay.stop()
                await loop_lag.stop()

    async def bench_seat_summary(request: Request) -> JSONResponse:
        """Benchmark baseline: the seat summary's JSON with the minimal reads (token, pools)."""
        actor = await authenticate(
            bearer(request.headers.get("authorization", "")), operator_token=settings.operator_token
        )
        if actor is None or actor.tenant_id is None:
            return JSONResponse({"errors": [{"message": "no tenant"}]}, status_code=401)
        pools = []
        for pool in await SeatPool.filter(tenant_id=actor.tenant_id).order_by("id"):
            product = await catalog.product_by_id(pool.product_id)
            pools.append(
                {
                    "product": {"code": product.code},
                    "capacity": pool.capacity,
                    "assigned": pool.assigned,
                    "available": pool.available,
                }
            )
        return JSONResponse({"data": {"viewer": {"tenant": {"seatPools": pools}}}})

    bench_routes = (
        [Route("/bench/seat-summary", bench_seat_summary)] if settings.bench_routes else []
    )

    return Starlette(
        routes=[
            *bench_routes,
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/stats", stats),
            Route("/readyz", readyz),
            Mount("/dashboard", StaticFiles(directory=DASHBOARD, html=True), name="dashboard"),
            Route("/metrics", metrics.render),
            Route("/phone/sample.csv", phone_routes.sample),
            Route(
                "/tenants/{tenant_id}/phone-configuration.csv",
                phone_routes.export_route(settings.operator_token),
            ),
            Route(
                "/marketplace/provision-requests",
                provision_endpoint(settings.marketplace_secrets, published),
                methods=["POST"],
            ),
        ],
        lifespan=lifespan,
        middleware=[
            *(
                [
                    Middleware(
                        CORSMiddleware,
                        allow_origins=list(settings.cors_origins),
                        allow_methods=["GET", "POST", "OPTIONS"],
                        allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
                        expose_headers=["X-Request-Id"],
                        max_age=600,
                    )
                ]
                if settings.cors_origins
                else []
            ),
            Middleware(
                BodySizeLimit,
                limit=settings.max_body_bytes,
                upload_limit=settings.max_upload_bytes,
            ),
        ],
    )
