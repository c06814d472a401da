"""Write throughput: assign/unassign pairs per second, against raw SQL doing the same writes.

Service: `assignLicense` then `unassignLicense` for the same user, over HTTP, from a
client in its own process with 4 workers (each on its own user), for a fixed time;
every pair runs the seat-limit check, the one-licence-per-product rule, the booking
page rule, the event log, sequence numbers, notices and the relay wake-up.

Baseline, same run: a process that performs the same row writes with Python's sqlite3
on a copy of the same database, one transaction per operation, with the server's
settings (WAL, synchronous=NORMAL): update the licence, move the pool counter, take the
tenant's next event sequence and insert the event. The ratio is the figure (>= 0.5).

usage: python -m bench.writes [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import Row, print_rows
from schema.relay import from_global_id
from tests.support import new_tenant, running_server

WORKERS = 4
ASSIGN = (
    'mutation($u: ID!) { assignLicense(input: {userId: $u, product: "nextticket"})'
    " { license { id } userErrors { code } } }"
)
UNASSIGN = (
    'mutation($u: ID!) { unassignLicense(input: {userId: $u, product: "nextticket"})'
    " { license { id } userErrors { code } } }"
)


async def _drive(url: str, token: str, users: list[str], seconds: float) -> tuple[int, int]:
    deadline = time.monotonic() + seconds
    pairs = errors = 0

    async def worker(client: httpx.AsyncClient, user: str) -> None:
        nonlocal pairs, errors
        while time.monotonic() < deadline:
            for query in (ASSIGN, UNASSIGN):
                body = (
                    await client.post(url, json={"query": query, "variables": {"u": user}})
                ).json()
                data = body.get("data") or {}
                payload = next(iter(data.values()), None)
                if "errors" in body or payload is None or payload["userErrors"]:
                    errors += 1
            pairs += 1

    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        await asyncio.gather(*(worker(client, u) for u in users))
    return pairs, errors


def _client(url: str, token: str, users: list[str], seconds: float, out: Any) -> None:
    try:
        out.put(asyncio.run(_drive(url, token, users, seconds)))
    except BaseException:
        out.put((0, -1))  # the parent reports the failure instead of waiting
        raise


def _raw(path: str, tenant_id: int, seconds: float, out: Any) -> None:
    """The same row writes as assign + unassign, in raw SQL, one transaction each."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=5000")
    (pool_id,) = db.execute(
        "SELECT p.id FROM seat_pool p JOIN product r ON r.id = p.product_id "
        "WHERE p.tenant_id = ? AND r.code = 'nextticket'",
        (tenant_id,),
    ).fetchone()
    users = [r[0] for r in db.execute('SELECT id FROM "user" WHERE tenant_id = ?', (tenant_id,))]
    users = users[-WORKERS:]
    db.execute("UPDATE license SET state='AVAILABLE', assignee_id=NULL WHERE pool_id=?", (pool_id,))
    free = [r[0] for r in db.execute("SELECT id FROM license WHERE pool_id = ?", (pool_id,))]

    def operation(licence: int, user: int | None, delta: int, kind: str) -> None:
        now = datetime.now(UTC).isoformat(" ")
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "UPDATE license SET state=?, assignee_id=?, assigned_at=? WHERE id=?",
            ("ASSIGNED" if user else "AVAILABLE", user, now if user else None, licence),
        )
        db.execute("UPDATE seat_pool SET assigned = assigned + ? WHERE id = ?", (delta, pool_id))
        (sequence,) = db.execute(
            "UPDATE tenant SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq",
            (tenant_id,),
        ).fetchone()
        db.execute(
            "INSERT INTO seat_event (sequence, kind, occurred_at, source, product, delta, pool,"
            " license_id, user_id, booking_page_ids, message, actor_id, tenant_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                sequence,
                kind,
                now,
                "ADMIN",
                "nextticket",
                delta,
                json.dumps({"product": "nextticket", "capacity": None, "assigned": 1}),
                licence,
                user,
                "[]",
                f"{kind} for user {user}",
                users[0],
                tenant_id,
            ),
        )
        db.execute("COMMIT")

    deadline = time.monotonic() + seconds
    pairs = 0
    while time.monotonic() < deadline:
        for licence, user in zip(free, users, strict=False):
            operation(licence, user, 1, "LICENSE_ASSIGNED")
            operation(licence, None, -1, "LICENSE_UNASSIGNED")
            pairs += 1
    out.put((pairs, 0))


def main(seconds: float = 5) -> list[Row]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "writes.db"
        with running_server(
            "sqlite",
            f"sqlite://{path}",
            Path(tmp) / "s.log",
            {"SEATGRAPH_RATE_LIMIT": "0", "SEATGRAPH_QUERY_STATS": "false"},
        ) as server:
            tenant = new_tenant(server)
            tenant.set_capacity("nextticket", WORKERS)
            users = [tenant.add_user(f"w{i}@bench.example") for i in range(WORKERS)]
            tenant.assign(users[0], "nextticket")  # creates the pool's licences
            tenant.admin.ok(
                "unassignLicense", {"userId": users[0], "product": "nextticket"}, "license { id }"
            )
            proc = ctx.Process(
                target=_client, args=(server.url, tenant.admin.token, users, seconds, out)
            )
            proc.start()
            service_pairs, errors = out.get(timeout=seconds + 120)
            proc.join()
            assert errors == 0, f"{errors} refused operations"
        decoded = from_global_id(tenant.id)
        assert decoded is not None
        copy = Path(tmp) / "raw.db"
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        proc = ctx.Process(target=_raw, args=(str(copy), decoded[1], seconds, out))
        proc.start()
        raw_pairs, _ = out.get(timeout=seconds + 120)
        proc.join()
    service = service_pairs / seconds
    raw = raw_pairs / seconds
    return [
        ("assign+unassign pairs/s, service (4 clients)", f"{service:,.0f}"),
        ("same row writes, raw SQL, 1 transaction each", f"{raw:,.0f}"),
        ("write throughput ratio (target >= 0.5)", f"{service / raw:.3f}"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    print_rows(main(parser.parse_args().seconds))
