"""Notice fan-out: latency from commit to receipt for many open subscriptions.

One server process (SQLite). Subscribers live in separate client processes; each event's
latency is its receipt time minus its `occurredAt` (written in the committing
transaction; same machine, same clock). The baseline is the same measurement with one
subscriber, in the same run.

usage: python -m bench.fanout [--subscribers 1000] [--events 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import websockets

from tests.support import new_tenant, running_server

QUERY = "subscription($t: ID!) { seatEvents(tenantId: $t) { sequence occurredAt } }"


async def _client(
    url: str, token: str, tenant: str, n: int, events: int, ready: Any, out: Any
) -> None:
    latencies: list[float] = []

    async def one() -> None:
        async with websockets.connect(
            url, subprotocols=["graphql-transport-ws"], max_queue=None
        ) as ws:  # type: ignore[list-item]
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            await ws.recv()
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": QUERY, "variables": {"t": tenant}},
                    }
                )
            )
            ready.put(1)
            got = 0
            while got < events:
                message = json.loads(await asyncio.wait_for(ws.recv(), 120))
                if message.get("type") != "next":
                    continue
                now = time.time()
                at = datetime.fromisoformat(message["payload"]["data"]["seatEvents"]["occurredAt"])
                latencies.append(now - at.timestamp())
                got += 1

    await asyncio.gather(*(one() for _ in range(n)))
    out.put(latencies)


def _client_process(*args: Any) -> None:
    asyncio.run(_client(*args))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    subscribers: int, events: int, processes: int = 4, profile: str | None = None
) -> tuple[list[float], float]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(
            "sqlite",
            f"sqlite://{Path(tmp) / 'bench.db'}",
            Path(tmp) / "server.log",
            {
                "SEATGRAPH_QUERY_STATS": "false",
                "SEATGRAPH_RATE_LIMIT": "0",
                "SEATGRAPH_MAX_CONNECTIONS_PER_TOKEN": "100000",
            },
        ) as server,
    ):
        tenant = new_tenant(server)
        tenant.set_capacity("nextticket", None)
        users = [tenant.add_user(f"b{i}@bench.example") for i in range(events)]
        ctx = mp.get_context("spawn")
        ready, out = ctx.Queue(), ctx.Queue()
        per = [
            subscribers // processes + (1 if i < subscribers % processes else 0)
            for i in range(processes)
        ]
        procs = [
            ctx.Process(
                target=_client_process,
                args=(server.ws_url, tenant.admin.token, tenant.id, n, events, ready, out),
            )
            for n in per
            if n
        ]
        for p in procs:
            p.start()
        for _ in range(subscribers):
            ready.get(timeout=120)
        time.sleep(1.0)
        spy = None
        if profile:  # py-spy on the server while the events are delivered
            spy = subprocess.Popen(
                [
                    *("py-spy", "record", "-r", "200", "-f", "raw", "-o", profile),
                    *("-d", str(int(events * 0.1 + 3)), "-p", str(server.process.pid)),
                ]
            )
        assert server.process is not None
        cpu_before = _cpu_seconds(server.process.pid)
        for user in users:
            tenant.assign(user, "nextticket")
            time.sleep(0.1)
        latencies: list[float] = []
        for _ in procs:
            latencies += out.get(timeout=300)
        cpu = _cpu_seconds(server.process.pid) - cpu_before
        for p in procs:
            p.join(timeout=30)
        if spy is not None:
            spy.wait()
        return latencies, cpu


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(subscribers: int = 1000, events: int = 20) -> list[tuple[str, str]]:
    base, base_cpu = measure(1, events, processes=1)
    many, cpu = measure(subscribers, events)
    assert len(many) == subscribers * events, f"lost events: {len(many)} of {subscribers * events}"
    rows = [
        (
            "baseline 1 subscriber p50 / p99",
            f"{_pct(base, 0.5) * 1e3:.1f} / {_pct(base, 0.99) * 1e3:.1f} ms",
        ),
        (
            f"{subscribers} subscribers p50 / p99",
            f"{_pct(many, 0.5) * 1e3:.1f} / {_pct(many, 0.99) * 1e3:.1f} ms",
        ),
        (f"{subscribers} subscribers mean", f"{statistics.mean(many) * 1e3:.1f} ms"),
        ("p99 ratio to baseline", f"{_pct(many, 0.99) / max(_pct(base, 0.99), 1e-6):.1f}x"),
        (
            "server CPU per delivered notice",
            f"{(cpu - base_cpu) / max(len(many) - len(base), 1) * 1e6:.0f} us",
        ),
        ("events received", f"{len(many)} of {subscribers * events}"),
    ]
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--profile", help="write a py-spy raw profile of the server here")
    args = parser.parse_args()
    if args.profile:
        measure(args.subscribers, args.events, profile=args.profile)
        raise SystemExit(0)
    for metric, value in main(args.subscribers, args.events):
        print(f"{metric:<36} {value}")
