"""Licence search on a tenant with 100,000 licences, and a 5,000-row mass configuration.

Search: p50/p99 of `Tenant.licenses(filter)` through the running server (one client,
sequential requests), on a tenant with 100,000 licences against the same queries on a
tenant with 1,000 in the same database and run: the ratio is the figure. Mass
configuration: validate (dry run) and apply times of a 5,000-row file, one transaction.

usage: python -m bench.phone [--licences 100000] [--rows 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.common import print_rows
from models.auth import OPERATOR
from models.catalog_cache import catalog
from models.enums import LicenseState
from models.events import run_use_case
from models.massconfig import mass_configure
from models.seats import License, SeatPool
from models.tenancy import Tenant, User
from server.db import database, migrate
from tests.support import OPERATOR_TOKEN, running_server

QUERIES = {
    "extension": '{ tenant(id: "%s") { licenses(filter: {extension: "%s"}) { nodes { uuid } } } }',
    "assignee text": '{ tenant(id: "%s") { licenses(first: 100, filter: {assignee: "%s"}) { nodes { uuid assignee { email } } } } }',
    "uuid": '{ tenant(id: "%s") { license(uuid: "%s") { uuid } } }',
    "product+state page": '{ tenant(id: "%s") { licenses(first: 100, filter: {product: "phone_system", state: ASSIGNED}) { totalCount nodes { uuid extension assignee { email } } } } }',
}


async def _tenant_with_licences(name: str, licences: int, assigned: int) -> tuple[int, list[str]]:
    phone = await catalog.product("phone_system")
    tenant = await Tenant.create(name=name)
    await User.bulk_create(
        [
            User(tenant_id=tenant.id, email=f"user{i}@{name}.example", name=f"User {i}")
            for i in range(assigned)
        ],
        batch_size=2000,
    )
    users = await User.filter(tenant_id=tenant.id).order_by("id").values_list("id", flat=True)
    pool = await SeatPool.create(
        tenant_id=tenant.id, product_id=phone.id, capacity=licences, assigned=assigned
    )
    uuids = [uuid.uuid4() for _ in range(licences)]
    await License.bulk_create(
        [
            License(
                uuid=uuids[i],
                tenant_id=tenant.id,
                pool_id=pool.id,
                product_id=phone.id,
                state=LicenseState.ASSIGNED if i < assigned else LicenseState.AVAILABLE,
                assignee_id=users[i] if i < assigned else None,
                extension=str(1000 + i) if i < assigned else None,
            )
            for i in range(licences)
        ],
        batch_size=2000,
    )
    return tenant.id, [str(u) for u in uuids[: min(assigned, 50)]]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3


def _time(url: str, queries: list[str]) -> list[float]:
    out = []
    with httpx.Client(headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}, timeout=60) as client:
        for q in queries:
            started = time.perf_counter()
            response = client.post(url, json={"query": q})
            out.append(time.perf_counter() - started)
            assert "errors" not in response.json(), response.text
    return out


def search(licences: int) -> list[tuple[str, str]]:
    from models.globalids import to_global_id

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'search.db'}"

        async def build() -> dict[str, tuple[int, list[str]]]:
            await migrate(url, progress=False)
            async with database(url):
                return {
                    "small": await _tenant_with_licences("small", 1000, 500),
                    "big": await _tenant_with_licences("big", licences, licences // 5),
                }

        started = time.perf_counter()
        tenants = asyncio.run(build())
        rows.append((f"generate {licences:,} licences", f"{time.perf_counter() - started:.1f} s"))
        with running_server(
            "sqlite",
            url,
            Path(tmp) / "server.log",
            {"SEATGRAPH_QUERY_STATS": "false"},
            migrate=False,
        ) as server:
            for label, template in QUERIES.items():
                p99s = {}
                for size, (tid, uuids) in tenants.items():
                    gid = to_global_id("Tenant", tid)
                    values = {
                        "extension": [str(1000 + i * 7) for i in range(50)],
                        "assignee text": [f"user{i * 3}@" for i in range(50)],
                        "uuid": uuids,
                        "product+state page": [""] * 50,
                    }[label]
                    documents = [
                        template % (gid, v) if template.count("%s") == 2 else template % gid
                        for v in values
                    ]
                    timings = _time(server.url, documents)
                    p99s[size] = _p(timings, 0.99)
                    if size == "big":
                        rows.append(
                            (
                                f"search by {label} p50/p99",
                                f"{_p(timings, 0.5):.1f} / {p99s[size]:.1f} ms",
                            )
                        )
                rows.append(
                    (
                        f"search by {label} p99 ratio 100k:1k",
                        f"{p99s['big'] / max(p99s['small'], 1e-6):.2f}x",
                    )
                )
    return rows


def mass(rows_n: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'mass.db'}"

        async def go() -> None:
            await migrate(url, progress=False)
            async with database(url):
                tenant = await Tenant.create(name="mass")
                await User.bulk_create(
                    [
                        User(tenant_id=tenant.id, email=f"u{i}@mass.example", name=f"U {i}")
                        for i in range(rows_n)
                    ],
                    batch_size=2000,
                )
                for code in ("phone_system", "device_ip_phone", "call_recording"):
                    await SeatPool.create(
                        tenant_id=tenant.id,
                        product_id=(await catalog.product(code)).id,
                        capacity=rows_n,
                    )
                lines = ["Ext Key,Number,User,Addon license 1,Addon license 2"]
                lines += [
                    f"{1000 + i},65678{i:05d},u{i}@mass.example,device_ip_phone,call_recording"
                    for i in range(rows_n)
                ]
                text = "\n".join(lines) + "\n"
                started = time.perf_counter()
                await run_use_case(
                    lambda: mass_configure(
                        actor=OPERATOR, tenant_id=tenant.id, text=text, dry_run=True
                    )
                )
                rows.append(
                    (
                        f"mass configure {rows_n:,} rows: validate",
                        f"{time.perf_counter() - started:.1f} s",
                    )
                )
                started = time.perf_counter()
                report, _ = await run_use_case(
                    lambda: mass_configure(actor=OPERATOR, tenant_id=tenant.id, text=text)
                )
                rows.append(
                    (
                        f"mass configure {rows_n:,} rows: apply (1 transaction)",
                        f"{time.perf_counter() - started:.1f} s",
                    )
                )
                assert report.count("CREATED") == rows_n

        asyncio.run(go())
    return rows


def main(licences: int = 100_000, rows: int = 5000) -> list[tuple[str, str]]:
    return search(licences) + mass(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    print_rows(main(args.licences, args.rows))
