"""List page at 100,000 licences, and the seat summary + list page at full scale.

List page: `licenses(first: 100)` with assignee and add-ons for a tenant with 100,000
licences (50,000 assigned base licences, each with an add-on), under 8 concurrent
connections from wrk: requests/s and p50/p99, against the same page of a 200-licence
tenant in the same database and run. SQL statements per request come from the server's
statement counter (SEATGRAPH_QUERY_STATS) for the first page, a page deep in the list,
and the small tenant's page: they must be equal.

Scale: a database of 10,000 tenants, 1,000,000 users and 2,000,000 licences
(`bench.generate`) against one of 10 tenants: the seat summary's and the list page's
throughput and p99 for the same-shaped probe tenant, both servers up and measured in
turn (best of two runs each). The ratio is the figure (<= 1.2x).

usage: python -m bench.pages [--tenants 10000] [--big 50000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

import httpx

from bench.common import Row, WrkResult, alternate, have_wrk, print_rows, skipped, wrk
from bench.generate import generate
from bench.read_ceiling import QUERY as SUMMARY
from schema.relay import encode_cursor
from tests.support import running_server

PAGE = (
    "query($after: String) { viewer { tenant { licenses(first: 100, after: $after) {"
    " pageInfo { hasNextPage endCursor }"
    " nodes { uuid state extension assignedAt assignee { email name }"
    " addons { uuid product { code } } } } } } }"
)
FIRST_PAGE = PAGE.replace("query($after: String) ", "").replace(", after: $after", "")
ENV = {"SEATGRAPH_RATE_LIMIT": "0", "SEATGRAPH_QUERY_STATS": "false"}


def _statements(url: str, token: str, after: str | None = None) -> tuple[int, str, int]:
    response = httpx.post(
        url,
        json={"query": PAGE, "variables": {"after": after}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    assert "errors" not in response, response
    page = response["data"]["viewer"]["tenant"]["licenses"]
    return (
        response["extensions"]["sqlStatements"],
        page["pageInfo"]["endCursor"],
        len(page["nodes"]),
    )


def list_page(big: int, seconds: float) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        made = generate(Path(tmp) / "list.db", tenants=10, users=100, big=big)
        assert made.big_token is not None
        url = f"sqlite://{made.path}"
        with running_server(
            "sqlite",
            url,
            Path(tmp) / "stats.log",
            {**ENV, "SEATGRAPH_QUERY_STATS": "true"},
            migrate=False,
        ) as server:
            _statements(server.url, made.probe_token)  # warm: the catalogue is read once
            small, _, n_small = _statements(server.url, made.probe_token)
            first, _, n_first = _statements(server.url, made.big_token)
            with sqlite3.connect(made.path) as db:  # the cursor of the list's middle
                (middle,) = db.execute(
                    "SELECT id FROM license WHERE tenant_id = ? ORDER BY id LIMIT 1 OFFSET ?",
                    (made.tenants, big // 2),  # a base licence: assignee and add-on
                ).fetchone()
            deep, _, n_deep = _statements(server.url, made.big_token, encode_cursor(middle))
            assert n_first == n_small == n_deep == 100, (n_first, n_small, n_deep)
        rows.append(
            (
                "SQL statements per page: 200 / 100k first / 100k middle",
                f"{small} / {first} / {deep}" + ("" if small == first == deep else " NOT CONSTANT"),
            )
        )
        with running_server("sqlite", url, Path(tmp) / "s.log", ENV, migrate=False) as server:
            wrk(server.url, made.big_token, 1, FIRST_PAGE)  # warm up
            base = wrk(server.url, made.probe_token, seconds, FIRST_PAGE)
            load = wrk(server.url, made.big_token, seconds, FIRST_PAGE)
    assert base.errors == load.errors == 0
    rows += [
        (
            "list page, 200-licence tenant: req/s, p50/p99",
            f"{base.requests_per_second:,.0f}, {base.p50_ms:.1f} / {base.p99_ms:.1f} ms",
        ),
        (
            f"list page, {2 * big:,}-licence tenant: req/s, p50/p99",
            f"{load.requests_per_second:,.0f}, {load.p50_ms:.1f} / {load.p99_ms:.1f} ms",
        ),
        (
            "list page p99 at 8 clients (target < 50 ms)",
            f"{load.p99_ms:.1f} ms ({load.p99_ms / base.p99_ms:.2f}x the small tenant's)",
        ),
    ]
    return rows


def scale(tenants: int, seconds: float) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        small_db = generate(Path(tmp) / "small.db", tenants=10, users=100)
        large_db = generate(Path(tmp) / "large.db", tenants=tenants, users=100)
        rows.append(
            (
                "generate scale database",
                f"{large_db.tenants:,} tenants, {large_db.users:,} users, "
                f"{large_db.licences:,} licences in {large_db.seconds:.0f} s",
            )
        )
        with (
            running_server(
                "sqlite", f"sqlite://{small_db.path}", Path(tmp) / "s.log", ENV, migrate=False
            ) as small_server,
            running_server(
                "sqlite", f"sqlite://{large_db.path}", Path(tmp) / "l.log", ENV, migrate=False
            ) as large_server,
        ):
            results: dict[str, dict[str, WrkResult]] = {}
            for name, query in (("seat summary", SUMMARY), ("list page", FIRST_PAGE)):
                for server, made in ((small_server, small_db), (large_server, large_db)):
                    wrk(server.url, made.probe_token, 1, query)  # warm up
                # Both servers stay up and are measured in turn, twice, best run each.
                best = alternate(
                    {
                        "small": lambda q=query: wrk(  # type: ignore[misc]
                            small_server.url, small_db.probe_token, seconds, q
                        ),
                        "large": lambda q=query: wrk(  # type: ignore[misc]
                            large_server.url, large_db.probe_token, seconds, q
                        ),
                    }
                )
                results.setdefault("small", {})[name] = best["small"]
                results.setdefault("large", {})[name] = best["large"]
    for name in ("seat summary", "list page"):
        small, large = results["small"][name], results["large"][name]
        assert small.errors == large.errors == 0
        rows.append(
            (
                f"{name}: 10 vs {tenants:,} tenants, req/s",
                f"{small.requests_per_second:,.0f} vs {large.requests_per_second:,.0f}",
            )
        )
        rows.append(
            (
                f"{name}: time ratio large/small, p99 ratio (target <= 1.2x)",
                f"{small.requests_per_second / large.requests_per_second:.2f}x, "
                f"{large.p99_ms / small.p99_ms:.2f}x",
            )
        )
    return rows


def main(tenants: int = 10_000, big: int = 50_000, seconds: float = 4) -> list[Row]:
    if not have_wrk():
        return skipped("pages")
    return list_page(big, seconds) + scale(tenants, seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=50_000, help="base licences of the big tenant")
    parser.add_argument("--seconds", type=float, default=4)
    args = parser.parse_args()
    print_rows(main(args.tenants, args.big, args.seconds))
