"""Generate a large Seatgraph database for the benchmarks, with raw SQLite `executemany`.

Every tenant gets the same shape: ``users`` users (the first an administrator),
a phone-system pool whose licences are assigned one per user, and a call-recording
pool whose add-on licences are attached to those base licences; the seat counters
(`seat_pool.assigned`) agree with the rows, as the service keeps them. The middle tenant
is the probe: the benchmarks query it with its administrator's token (printed, and
returned), so its rows sit in the middle of every table and index.
An optional extra "big" tenant holds a very large licence list.

The schema comes from the project's migrations; rows are written directly because
going through the service would take hours at this size (10,000 tenants, 1,000,000
users, 2,000,000 licences load in about a minute here).

usage: python -m bench.generate PATH [--tenants 10000] [--users 100] [--big 0]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from models.auth import hash_token
from server.db import migrate

CHUNK = 20_000


@dataclass
class Generated:
    path: Path
    probe_token: str
    big_token: str | None
    tenants: int
    users: int
    licences: int
    seconds: float


def _stamp() -> str:
    return datetime.now(UTC).isoformat(" ")


def _tenant_rows(
    first_tenant: int, first_user: int, first_licence: int, users: int, name: str, now: str
) -> Iterator[tuple[str, tuple[object, ...]]]:
    """The rows of one tenant, in dependency order (ids are given explicitly)."""
    t = first_tenant
    yield "tenant", (t, name, "ACTIVE", 0, None, now)
    for i in range(users):
        role = "ADMINISTRATOR" if i == 0 else "MEMBER"
        yield "user", (first_user + i, f"u{i}@{name}.example", f"User {i}", role, "ACTIVE", now, t)
    base_pool, addon_pool = 2 * t - 1, 2 * t
    yield "seat_pool", (base_pool, users, users, now, PHONE, t)
    yield "seat_pool", (addon_pool, users, users, now, RECORDING, t)
    for i in range(users):
        yield (
            "license",
            (
                first_licence + i,
                str(uuid.uuid4()),
                "ASSIGNED",
                now,
                None,
                str(1000 + i),
                None,
                now,
                first_user + i,
                None,
                base_pool,
                PHONE,
                t,
            ),
        )
    for i in range(users):
        yield (
            "license",
            (
                first_licence + users + i,
                str(uuid.uuid4()),
                "ASSIGNED",
                now,
                None,
                None,
                None,
                now,
                None,
                first_licence + i,
                addon_pool,
                RECORDING,
                t,
            ),
        )


PHONE = RECORDING = 0  # product ids, read from the migrated catalogue

INSERTS = {
    "tenant": 'INSERT INTO "tenant" (id, name, status, event_seq, external_ref, created_at) '
    "VALUES (?,?,?,?,?,?)",
    "user": 'INSERT INTO "user" (id, email, name, role, status, created_at, tenant_id) '
    "VALUES (?,?,?,?,?,?,?)",
    "seat_pool": 'INSERT INTO "seat_pool" (id, capacity, assigned, created_at, product_id, '
    "tenant_id) VALUES (?,?,?,?,?,?)",
    "license": 'INSERT INTO "license" (id, uuid, state, assigned_at, expires_at, extension, '
    "number, created_at, assignee_id, base_id, pool_id, product_id, tenant_id) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
}


def generate(
    path: Path,
    *,
    tenants: int,
    users: int = 100,
    big: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Create ``path`` (migrated) with ``tenants`` tenants of ``users`` users and 2 x
    ``users`` licences each, plus a tenant of ``big`` users and 2 x ``big`` licences."""
    global PHONE, RECORDING
    started = time.monotonic()
    url = f"sqlite://{path}"
    asyncio.run(migrate(url, progress=False))
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    products = dict(db.execute("SELECT code, id FROM product"))
    PHONE, RECORDING = products["phone_system"], products["call_recording"]
    now = _stamp()
    batches: dict[str, list[tuple[object, ...]]] = {k: [] for k in INSERTS}
    shapes = [(users, f"t{t}") for t in range(1, tenants + 1)]
    if big:
        shapes.append((big, "big"))
    next_user = next_licence = 1
    total_users = total_licences = 0
    db.execute("BEGIN")
    for number, (size, name) in enumerate(shapes, start=1):
        for table, row in _tenant_rows(number, next_user, next_licence, size, name, now):
            batches[table].append(row)
        next_user += size
        next_licence += 2 * size
        total_users += size
        total_licences += 2 * size
        if sum(len(b) for b in batches.values()) >= CHUNK or number == len(shapes):
            for table, rows in batches.items():
                if rows:
                    db.executemany(INSERTS[table], rows)
                    rows.clear()
            if progress and (number % 1000 == 0 or number == len(shapes)):
                progress(f"{number:,} of {len(shapes):,} tenants")
    tokens = {}
    for number, label in (((tenants + 1) // 2, "probe"), (len(shapes), "big")):
        token = f"bench_{secrets.token_urlsafe(16)}"
        admin = db.execute(
            'SELECT id FROM "user" WHERE tenant_id = ? AND role = ?', (number, "ADMINISTRATOR")
        ).fetchone()[0]
        db.execute(
            'INSERT INTO "api_token" (token_hash, name, created_at, user_id) VALUES (?,?,?,?)',
            (hash_token(token), "bench", now, admin),
        )
        tokens[label] = token
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return Generated(
        path=path,
        probe_token=tokens["probe"],
        big_token=tokens["big"] if big else None,
        tenants=len(shapes),
        users=total_users,
        licences=total_licences,
        seconds=time.monotonic() - started,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100, help="users per tenant")
    parser.add_argument("--big", type=int, default=0, help="users of one extra, big tenant")
    args = parser.parse_args()
    if args.path.exists():
        sys.exit(f"{args.path} exists; choose a new file")
    made = generate(
        args.path,
        tenants=args.tenants,
        users=args.users,
        big=args.big,
        progress=lambda m: print(m, file=sys.stderr),
    )
    print(
        f"{made.tenants:,} tenants, {made.users:,} users, {made.licences:,} licences "
        f"in {made.seconds:.1f} s\nprobe tenant administrator token: {made.probe_token}"
    )
    if made.big_token:
        print(f"big tenant administrator token: {made.big_token}")
