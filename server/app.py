"""The ASGI application: GraphQL over HTTP and WebSocket, health, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.migrations.executor import MigrationExecutor

from models.licensing import release_expired
from notifications.relay import EventRelay
from schema import build_schema
from server import querystats
from server.db import tortoise_config
from server.graphql_view import SeatgraphGraphQL
from server.settings import Settings, load_settings

log = logging.getLogger("seatgraph")


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


async def _expiry_loop(relay: EventRelay, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            tenants = await release_expired()
            relay.wake(tenants)
        except Exception:
            log.exception("releasing expired licences failed; retrying")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    relay = EventRelay(
        poll_interval=settings.relay_poll_interval, queue_size=settings.subscriber_queue_size
    )
    extensions = []
    if settings.query_stats:
        querystats.install()
        extensions.append(querystats.QueryStats)
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        extra_extensions=extensions,
    )
    graphql = SeatgraphGraphQL(
        schema,
        relay=relay,
        operator_token=settings.operator_token,
        graphql_ide="graphiql" if settings.graphiql else None,
    )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            await _check_migrations(settings.database_url)
            await relay.start()
            expiry = asyncio.create_task(_expiry_loop(relay, 5.0), name="seatgraph-expiry")
            app.state.relay = relay
            try:
                yield
            finally:
                expiry.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await expiry
                await relay.stop()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
