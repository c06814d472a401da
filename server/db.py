"""Tortoise configuration and database lifecycle helpers (migrate, connect)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.context import TortoiseContext

from models import MODEL_MODULES

SQLITE_PRAGMAS = "journal_mode=WAL&synchronous=NORMAL&busy_timeout=5000&foreign_keys=ON"


def connection_url(database_url: str) -> str:
    """The URL given to Tortoise: SQLite gets WAL, synchronous=NORMAL and a busy timeout."""
    if database_url.startswith("sqlite:"):
        path = database_url[len("sqlite://") :].split("?", 1)[0]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        sep = "&" if "?" in database_url else "?"
        return f"{database_url}{sep}{SQLITE_PRAGMAS}"
    return database_url


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_url(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For Tortoise's own CLI (`tortoise makemigrations`), see [tool.tortoise] in pyproject.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://var/seatgraph.db")


@asynccontextmanager
async def database(database_url: str) -> AsyncIterator[TortoiseContext]:
    """Connect for a CLI command or a test; closes the connections on exit."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        yield ctx


async def migrate(database_url: str, *, progress: bool = True) -> None:
    """Apply every pending migration, then load the bundled catalog into an empty database."""
    from tortoise.migrations.api.migrate import migrate as run_migrations

    def report(event: str, app_label: str, name: str) -> None:
        if progress and event == "apply_done":
            print(f"applied {app_label}.{name}")

    try:
        await run_migrations(config=tortoise_config(database_url), progress=report)
    finally:
        await Tortoise.close_connections()
    from models.catalog_file import ensure_default_catalog

    async with database(database_url):
        loaded = await ensure_default_catalog()
        if loaded and progress:
            print(
                f"loaded catalog v{loaded.version}: {len(loaded.products_added)} products, "
                f"{len(loaded.plans_added)} plans"
            )


async def pending_migrations(database_url: str) -> list[str]:
    """Names of migrations not yet applied (empty when the schema is current)."""
    from tortoise.connection import get_connection
    from tortoise.migrations.executor import MigrationExecutor

    config = tortoise_config(database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        executor = MigrationExecutor(get_connection("default"), config["apps"])
        plan = await executor.plan(None)
        return [f"{s.migration.app_label}.{s.migration.name}" for s in plan if not s.backward]
