"""Two processes on PostgreSQL: delivery latency of a change committed on one process to
subscribers connected to the other.

Both servers share one PostgreSQL database; the relay of the receiving process wakes on
LISTEN/NOTIFY (its table poll is set to 30 s, so the poll cannot be what delivers).
Baseline, same run: the same subscribers on the committing process itself.

Needs SEATGRAPH_TEST_POSTGRES_URL (a database the benchmark may create databases next
to); skipped with a reason when it is unset or unreachable.

usage: python -m bench.postgres [--subscribers 100] [--events 40]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.common import Row, pct, print_rows
from bench.fanout import SERVER_ENV, deliver
from tests.support import (
    cli,
    create_postgres_database,
    drop_postgres_database,
    new_tenant,
    running_server,
)

ENV = {**SERVER_ENV, "SEATGRAPH_RELAY_POLL_INTERVAL": "30"}


def main(subscribers: int = 100, events: int = 40) -> list[Row]:
    base_url = os.environ.get("SEATGRAPH_TEST_POSTGRES_URL")
    if not base_url:
        return [("two processes", "skipped: SEATGRAPH_TEST_POSTGRES_URL is not set")]
    try:
        url = create_postgres_database(base_url)
    except (OSError, Exception) as exc:
        return [("two processes", f"skipped: PostgreSQL unreachable ({exc.__class__.__name__})")]
    try:
        cli("migrate", env={"DATABASE_URL": url})
        with (
            tempfile.TemporaryDirectory() as tmp,
            running_server("postgres", url, Path(tmp) / "a.log", ENV, migrate=False) as a,
            running_server("postgres", url, Path(tmp) / "b.log", ENV, migrate=False) as b,
        ):
            tenant = new_tenant(a)
            tenant.set_capacity("nextticket", None)
            local = deliver(a, tenant, subscribers, events)
            remote = deliver(a, tenant, subscribers, events, ws_url=b.ws_url)
    finally:
        drop_postgres_database(base_url, url)
    for run in (local, remote):
        assert run.expected(subscribers, events), (len(run.latencies), run.errors[:3])
    rows: list[Row] = []
    for label, run in (("same process", local), ("other process", remote)):
        rows.append(
            (
                f"{subscribers} subscribers, {label}: p50 / p99",
                f"{pct(run.latencies, 0.5) * 1e3:.1f} / {pct(run.latencies, 0.99) * 1e3:.1f} ms",
            )
        )
    rows.append(
        (
            "cross-process p99 ratio to same-process",
            f"{pct(remote.latencies, 0.99) / pct(local.latencies, 0.99):.2f}x",
        )
    )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--events", type=int, default=40)
    args = parser.parse_args()
    print_rows(main(args.subscribers, args.events))
