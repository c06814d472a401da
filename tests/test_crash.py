"""Crash safety: a server killed with SIGKILL under concurrent writes loses nothing."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.conftest import POSTGRES_URL, SKIP_POSTGRES
from tests.support import (
    OPERATOR_TOKEN,
    cli,
    create_postgres_database,
    drop_postgres_database,
    new_tenant,
    running_server,
)
from tests.ws import Subscription

ASSIGN = "mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { userErrors { code } } }"
UNASSIGN = (
    "mutation($i: UnassignLicenseInput!) { unassignLicense(input: $i) { userErrors { code } } }"
)
ROUNDS = 3


async def _load(
    url: str, token: str, users: list[str], state: dict[str, bool | None], stop: asyncio.Event
) -> None:
    """Writers: assign/unassign at random; remember the last acknowledged state per user,
    and forget users whose request was cut off (its outcome is unknown)."""
    async with httpx.AsyncClient(
        timeout=10, headers={"Authorization": f"Bearer {token}"}
    ) as client:

        async def worker(mine: list[str]) -> None:
            while not stop.is_set():
                user = random.choice(mine)
                holds = state.get(user)
                query, payload = (
                    (UNASSIGN, {"userId": user, "product": "nextticket"})
                    if holds
                    else (ASSIGN, {"userId": user, "product": "nextticket"})
                )
                try:
                    response = await client.post(
                        url, json={"query": query, "variables": {"i": payload}}
                    )
                    body = response.json()
                except (httpx.HTTPError, ValueError):
                    state[user] = None  # in flight when the server died: unknown
                    return
                errors = next(iter(body["data"].values()))["userErrors"]
                if not errors:
                    state[user] = not holds

        await asyncio.gather(*(worker(users[i::8]) for i in range(8)))


async def _listen(
    ws_url: str, token: str, tenant: str, after: str | None, seen: list[int]
) -> str | None:
    """Collect events until the connection dies; returns the last cursor."""
    cursor = after
    try:
        async with Subscription(ws_url, token) as sub:
            await sub.subscribe({"tenantId": tenant, "after": after})
            while True:
                message = await sub.receive(timeout=30)
                if message["type"] != "next":
                    break
                event = message["payload"]["data"]["seatEvents"]
                seen.append(event["sequence"])
                cursor = event["cursor"]
    except (websockets.ConnectionClosed, OSError, TimeoutError):
        pass
    return cursor


async def _round(
    server: Any,
    token: str,
    tenant_id: str,
    cursor: str | None,
    users: list[str],
    state: dict[str, bool | None],
    seen: list[int],
) -> str | None:
    """Load and a listening subscriber for 1.5 s, then SIGKILL the server mid-write."""
    stop = asyncio.Event()
    listener = asyncio.create_task(_listen(server.ws_url, token, tenant_id, cursor, seen))
    writers = asyncio.create_task(_load(server.url, token, users, state, stop))
    await asyncio.sleep(1.5)
    await asyncio.to_thread(server.kill)
    stop.set()
    await writers
    return await listener


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_under_load_loses_nothing(backend: str, tmp_path: Path) -> None:
    if backend == "postgres" and not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    url = (
        f"sqlite://{tmp_path / 'crash.db'}"
        if backend == "sqlite"
        else create_postgres_database(str(POSTGRES_URL))
    )
    try:
        state: dict[str, bool | None] = {}
        seen: list[int] = []
        cursor: str | None = None
        tenant_id = ""
        admin_token = ""
        users: list[str] = []
        for round_ in range(ROUNDS):
            with running_server(
                backend, url, tmp_path / f"server{round_}.log", migrate=round_ == 0
            ) as server:
                if round_ == 0:
                    tenant = new_tenant(server)
                    tenant.set_capacity("nextticket", None)
                    users = [tenant.add_user(f"load{i}@acme.example") for i in range(40)]
                    tenant_id, admin_token = tenant.id, str(tenant.admin.token)
                    cursor = server.api(admin_token).query(
                        "query($t: ID!) { tenant(id: $t) { events(first: 1) { edges { cursor } } } }",
                        {"t": tenant_id},
                    )["tenant"]["events"]["edges"][0]["cursor"]
                    seen.append(1)

                cursor = asyncio.run(
                    _round(server, admin_token, tenant_id, cursor, users, state, seen)
                )
            check = cli("check", env={"DATABASE_URL": url}, check=False)
            assert check.returncode == 0, check.stdout

        with running_server(backend, url, tmp_path / "final.log", migrate=False) as server:
            api = server.api(OPERATOR_TOKEN)

            # a last resume from the last cursor gets the rest of the log
            async def drain() -> None:
                listener = asyncio.create_task(
                    _listen(server.ws_url, admin_token, tenant_id, cursor, seen)
                )
                await asyncio.sleep(2)
                listener.cancel()

            asyncio.run(drain())
            total = api.query(
                "query($t: ID!) { tenant(id: $t) { events { totalCount } } }", {"t": tenant_id}
            )["tenant"]["events"]["totalCount"]
            assert sorted(seen) == seen and seen == list(range(1, total + 1)), (
                "every committed event exactly once"
            )
            holders = {
                n["assignee"]["id"]
                for n in api.query(
                    "query($t: ID!) { tenant(id: $t) { licenses(first: 100, filter: {state: ASSIGNED}) { nodes { assignee { id } } } } }",
                    {"t": tenant_id},
                )["tenant"]["licenses"]["nodes"]
            }
            known = {u: s for u, s in state.items() if s is not None}
            assert known, "the load acknowledged nothing"
            assert all((u in holders) == s for u, s in known.items()), (
                "an acknowledged change is missing"
            )
    finally:
        if backend == "postgres" and POSTGRES_URL:
            drop_postgres_database(POSTGRES_URL, url)
