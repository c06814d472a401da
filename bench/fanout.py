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
import statistics
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


def measure(subscribers: int, events: int, processes: int = 4) -> list[float]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(
            "sqlite",
            f"sqlite://{Path(tmp) / 'bench.db'}",
            Path(tmp) / "server.log",
            {"SEATGRAPH_QUERY_STATS": "false"},
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
        for user in users:
            tenant.assign(user, "nextticket")
            time.sleep(0.1)
        latencies: list[float] = []
        for _ in procs:
            latencies += out.get(timeout=300)
        for p in procs:
            p.join(timeout=30)
        return latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(subscribers: int = 1000, events: int = 20) -> list[tuple[str, str]]:
    base = measure(1, events, processes=1)
    many = measure(subscribers, events)
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
        ("events received", f"{len(many)} of {subscribers * events}"),
    ]
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    for metric, value in main(args.subscribers, args.events):
        print(f"{metric:<36} {value}")
