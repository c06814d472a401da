"""Isolation under load, and memory per idle subscriber.

Isolation: the seat-summary query's p99 (wrk, 8 connections, another tenant's
administrator) with a writer committing 10 licence changes per second and no
subscribers, against the same while 1,000 subscribers receive those 10 notices per
second; then the same again with one more subscriber that never reads, to show what a
stalled consumer costs the others (p99, losses). Event-loop lag (how late a periodic
50 ms sleep wakes, measured inside the server) is reported for each phase.

Memory: resident memory growth of the server per idle subscriber, for 2,000
subscriptions, with WebSocket per-message deflate off and on.

usage: python -m bench.isolation [--subscribers 1000] [--idle 2000] [--seconds 4]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import Row, have_wrk, pct, print_rows, rss_bytes, wrk
from bench.fanout import bench_server, deliver
from bench.read_ceiling import QUERY as SUMMARY
from tests.support import new_tenant

RATE = 10.0


def isolation(subscribers: int, seconds: float) -> list[Row]:
    events = int(RATE * seconds)
    with bench_server() as (server, tenant):
        reader = new_tenant(server, "Reader")
        for code in ("nextticket", "bi_psa", "bi_rmm", "phone_system"):
            reader.set_capacity(code, 25)
        token = str(reader.admin.token)

        def load() -> Any:
            return wrk(server.url, token, seconds, SUMMARY)

        wrk(server.url, token, 1, SUMMARY)  # warm up
        quiet = deliver(server, tenant, 0, events, during=load)
        busy = deliver(server, tenant, subscribers, events, during=load)
        stalled = deliver(server, tenant, subscribers, events, during=load, stalled=1)
    lost = subscribers * events - len(stalled.latencies)
    rows: list[Row] = []
    for label, run in (
        ("no subscribers", quiet),
        (f"{subscribers:,} subscribers", busy),
        (f"{subscribers:,} + 1 stalled", stalled),
    ):
        rows.append(
            (
                f"seat summary p99 / loop lag max, {label}",
                f"{run.during.p99_ms:.1f} ms ({run.during.requests_per_second:,.0f} req/s)"
                f" / {run.loop_lag_ms:.0f} ms (GC pause max {run.gc_pause_ms:.0f} ms)",
            )
        )
    p99_busy = pct(busy.latencies, 0.99)
    p99_stalled = pct(stalled.latencies, 0.99)
    rows += [
        (
            "seat summary p99 ratio, subscribers/none (target <= 2x)",
            f"{busy.during.p99_ms / quiet.during.p99_ms:.2f}x",
        ),
        (
            "notice p99 without / with a stalled subscriber",
            f"{p99_busy * 1e3:.1f} / {p99_stalled * 1e3:.1f} ms "
            f"({p99_stalled / p99_busy:.2f}x; target <= 1.2x)",
        ),
        ("notices lost by the others (target 0)", f"{lost} ({'; '.join(stalled.errors[:2])})"),
    ]
    return rows


def idle_memory(subscribers: int) -> list[Row]:
    rows: list[Row] = []
    for compression in (False, True):
        env = {"SEATGRAPH_WS_COMPRESSION": "true" if compression else "false"}
        with bench_server(env) as (server, tenant):
            deliver(server, tenant, 50, 2, compression=compression)  # warm every code path
            time.sleep(1)
            assert server.process is not None
            run = deliver(server, tenant, subscribers, 2, compression=compression)
            per = (run.rss_subscribed - run.rss_idle) / subscribers
            after = rss_bytes(server.process.pid)
        rows.append(
            (
                f"RSS per idle subscriber, compression {'on' if compression else 'off'}",
                f"{per / 1024:.1f} KiB (target <= 100 KiB; "
                f"{run.rss_idle / 2**20:.0f} -> {run.rss_subscribed / 2**20:.0f} MiB,"
                f" {after / 2**20:.0f} MiB after they left)",
            )
        )
    return rows


def main(subscribers: int = 1000, idle: int = 2000, seconds: float = 4) -> list[Row]:
    rows = idle_memory(idle)
    if not have_wrk():
        return [*rows, ("isolation", "skipped: wrk is not installed (apt-get install wrk)")]
    return rows + isolation(subscribers, seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=4)
    args = parser.parse_args()
    print_rows(main(args.subscribers, args.idle, args.seconds))
