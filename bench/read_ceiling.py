"""Read ceiling: the seat summary through the full GraphQL stack vs a bare Starlette route.

Both answer `viewer { tenant { seatPools { product { code } capacity assigned available } } }`
for the same token in the same server process; the bare route does only the minimal
reads (token, pools). Load comes from `wrk` in its own process, 8 connections; the two
are measured in turn, three times each, and each keeps its best run. The ratio
GraphQL / bare is the figure (target >= 0.8).

usage: python -m bench.read_ceiling [--seconds 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import httpx

from bench.common import alternate, have_wrk, print_rows, skipped, wrk
from tests.support import new_tenant, running_server

QUERY = "{ viewer { tenant { seatPools { product { code } capacity assigned available } } } }"


def main(seconds: int = 3) -> list[tuple[str, str]]:
    if not have_wrk():
        return skipped("read ceiling")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "SEATGRAPH_BENCH_ROUTES": "true",
            "SEATGRAPH_RATE_LIMIT": "0",
            "SEATGRAPH_QUERY_STATS": "false",
        }
        with running_server(
            "sqlite", f"sqlite://{Path(tmp) / 'read.db'}", Path(tmp) / "s.log", env
        ) as server:
            tenant = new_tenant(server)
            for code in ("nextticket", "bi_psa", "bi_rmm", "phone_system"):
                tenant.set_capacity(code, 25)
            token = str(tenant.admin.token)
            base = server.url.removesuffix("/graphql")
            graphql_answer = tenant.admin.query(QUERY)
            bare_answer = httpx.get(
                base + "/bench/seat-summary", headers=tenant.admin.headers()
            ).json()["data"]
            assert graphql_answer == bare_answer, (graphql_answer, bare_answer)
            wrk(base + "/bench/seat-summary", token, 1)  # warm up
            wrk(base + "/graphql", token, 1, QUERY)
            best = alternate(
                {
                    "bare": lambda: wrk(base + "/bench/seat-summary", token, seconds),
                    "graphql": lambda: wrk(base + "/graphql", token, seconds, QUERY),
                },
                rounds=3,
            )
            bare = best["bare"].requests_per_second
            gql = best["graphql"].requests_per_second
    return [
        ("seat summary, bare Starlette route", f"{bare:,.0f} req/s"),
        ("seat summary, full GraphQL stack", f"{gql:,.0f} req/s"),
        ("read ceiling ratio (target >= 0.8)", f"{gql / bare:.2f}"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    print_rows(main(parser.parse_args().seconds))
