"""Read ceiling: the seat summary through the full GraphQL stack vs a bare Starlette route.

Both answer `viewer { tenant { seatPools { product { code } capacity assigned available } } }`
for the same token in the same server process; the bare route does only the minimal
reads (token, pools). Load comes from `wrk` in its own process, 8 connections. The ratio
GraphQL / bare is the figure (target >= 0.8).

usage: python -m bench.read_ceiling [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support import new_tenant, running_server

QUERY = "{ viewer { tenant { seatPools { product { code } capacity assigned available } } } }"


def _wrk(url: str, token: str, seconds: int, script: str | None) -> float:
    args = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}"]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main(seconds: int = 5) -> list[tuple[str, str]]:
    if shutil.which("wrk") is None:
        return [("read ceiling", "skipped: wrk is not installed (apt-get install wrk)")]
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
            import httpx

            bare_answer = httpx.get(
                base + "/bench/seat-summary", headers=tenant.admin.headers()
            ).json()["data"]
            assert graphql_answer == bare_answer, (graphql_answer, bare_answer)
            lua = Path(tmp) / "post.lua"
            lua.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(json.dumps({'query': QUERY}))}\n"
            )
            _wrk(base + "/bench/seat-summary", token, 1, None)  # warm up
            bare = _wrk(base + "/bench/seat-summary", token, seconds, None)
            gql = _wrk(base + "/graphql", token, seconds, str(lua))
    return [
        ("seat summary, bare Starlette route", f"{bare:,.0f} req/s"),
        ("seat summary, full GraphQL stack", f"{gql:,.0f} req/s"),
        ("read ceiling ratio (target >= 0.8)", f"{gql / bare:.2f}"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    for metric, value in main(parser.parse_args().seconds):
        print(f"{metric:<40} {value}")
