"""Notice fan-out: latency from commit to receipt for many open subscriptions.

One server process (SQLite). Subscribers live in separate client processes; each event's
latency is its receipt time minus its `occurredAt` (written in the committing
transaction; same machine, same clock). The baseline is the same measurement with one
subscriber, in the same run. Also reported: the server's CPU per delivered notice and,
for 10,000 subscribers, the server's resident memory.

usage: python -m bench.fanout [--subscribers 1000] [--events 20] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing as mp
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.common import Row, cpu_seconds, pct, print_rows, rss_bytes
from tests.support import Server, TenantFixture, new_tenant, running_server

QUERY = "subscription($t: ID!) { seatEvents(tenantId: $t) { sequence occurredAt } }"
SERVER_ENV = {
    "SEATGRAPH_QUERY_STATS": "false",
    "SEATGRAPH_RATE_LIMIT": "0",
    "SEATGRAPH_MAX_CONNECTIONS_PER_TOKEN": "100000",
}


async def _client(
    url: str,
    token: str,
    tenant: str,
    n: int,
    events: int,
    ready: Any,
    out: Any,
    stalled: bool,
    compression: bool,
) -> None:
    latencies: list[float] = []
    errors: list[str] = []

    async def one() -> None:
        async with websockets.connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            max_queue=None if not stalled else 1,
            compression="deflate" if compression else None,
            open_timeout=120,
            ping_interval=None,
        ) as ws:
            if stalled:  # a tiny receive buffer, so the server's sends back up quickly
                sock = ws.transport.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
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
            if stalled:  # subscribe, then never read again
                await asyncio.sleep(3600)
            got = 0
            while got < events:
                message = json.loads(await asyncio.wait_for(ws.recv(), 300))
                if message.get("type") != "next":
                    errors.append(json.dumps(message)[:300])
                    return
                now = time.time()
                at = datetime.fromisoformat(message["payload"]["data"]["seatEvents"]["occurredAt"])
                latencies.append(now - at.timestamp())
                got += 1

    results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    errors += [repr(r) for r in results if isinstance(r, BaseException)]
    out.put((latencies, errors))


def _client_process(*args: Any) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_client(*args))


def _frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455)."""
    payload = text.encode()
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (
        bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big")
    )
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class _RawSubscriber:
    """One subscription over a plain socket, with just enough WebSocket to read notices.

    The Python `websockets` client costs ~0.1 ms per message; with 1,000 subscribers on
    this 2-core machine it, not the server, would set the tail latency. This client
    parses frames from whole `recv()` buffers (~10 us per message) and stamps each with
    the time its buffer arrived."""

    def __init__(self, url: str, token: str, tenant: str) -> None:
        rest = url.removeprefix("ws://")
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=120)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"upgrade refused: {head[:200]!r}")
        self.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        while True:
            messages = self.messages()
            if messages:
                assert messages[0][1]["type"] == "connection_ack", messages
                break
            self.buffer += self._recv()
        self.send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": QUERY, "variables": {"t": tenant}},
            }
        )
        self.sock.setblocking(False)
        self.received = 0

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        return data

    def send(self, message: dict[str, Any]) -> None:
        self.sock.sendall(_frame(json.dumps(message)))

    def messages(self) -> list[tuple[int, Any]]:
        """Complete frames in the buffer: (opcode, parsed JSON or raw payload)."""
        out = []
        buf = self.buffer
        while len(buf) >= 2:
            length, offset = buf[1] & 0x7F, 2
            if length == 126:
                length, offset = int.from_bytes(buf[2:4], "big"), 4
            elif length == 127:
                length, offset = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < offset + length:
                break
            opcode, payload = buf[0] & 0x0F, buf[offset : offset + length]
            buf = buf[offset + length :]
            if opcode == 0x9:  # ping: answer, as any client must
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
                continue
            out.append((opcode, json.loads(payload) if opcode == 0x1 else payload))
        self.buffer = buf
        return out


def _raw_client(
    url: str, token: str, tenant: str, n: int, events: int, ready: Any, out: Any
) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    subscribers = []
    try:
        for _ in range(n):
            subscribers.append(_RawSubscriber(url, token, tenant))
            ready.put(1)
        selector = selectors.DefaultSelector()
        for sub in subscribers:
            selector.register(sub.sock, selectors.EVENT_READ, sub)
        waiting = len(subscribers)
        deadline = time.monotonic() + 300
        while waiting and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                sub = key.data
                try:
                    sub.buffer += sub._recv()
                except (BlockingIOError, ConnectionError) as exc:
                    if isinstance(exc, ConnectionError):
                        errors.append(repr(exc))
                        selector.unregister(sub.sock)
                        waiting -= 1
                    continue
                now = time.time()
                for opcode, message in sub.messages():
                    if opcode != 0x1 or message.get("type") != "next":
                        errors.append(str(message)[:300])
                        continue
                    at = datetime.fromisoformat(
                        message["payload"]["data"]["seatEvents"]["occurredAt"]
                    )
                    latencies.append(now - at.timestamp())
                    sub.received += 1
                    if sub.received == events:
                        selector.unregister(sub.sock)
                        waiting -= 1
        if waiting:
            errors.append(f"{waiting} subscribers timed out")
    except Exception as exc:  # reported by the parent with the figures
        errors.append(repr(exc))
    finally:
        out.put((latencies, errors))
        for sub in subscribers:
            sub.sock.close()


@dataclass
class Delivery:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu: float = 0.0  # server CPU seconds while the events were delivered
    rss_idle: int = 0  # server RSS before any subscriber connected
    rss_subscribed: int = 0  # ... with every subscriber connected
    loop_lag_ms: float = 0.0  # worst event-loop lag while the events were delivered
    gc_pause_ms: float = 0.0  # longest garbage-collector pause meanwhile
    during: Any = None  # what the `during` callable returned

    def expected(self, subscribers: int, events: int) -> bool:
        return len(self.latencies) == subscribers * events and not self.errors


@contextlib.contextmanager
def bench_server(env: dict[str, str] | None = None) -> Iterator[tuple[Server, TenantFixture]]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(
            "sqlite",
            f"sqlite://{Path(tmp) / 'bench.db'}",
            Path(tmp) / "server.log",
            {**SERVER_ENV, **(env or {})},
        ) as server,
    ):
        tenant = new_tenant(server)
        tenant.set_capacity("nextticket", None)
        yield server, tenant


def _stats(server: Server, reset: bool = False) -> dict[str, Any]:
    base = server.url.removesuffix("/graphql")
    body: dict[str, Any] = httpx.get(
        base + "/stats" + ("?reset=lag" if reset else ""), timeout=30
    ).json()
    return body


def deliver(
    server: Server,
    tenant: TenantFixture,
    subscribers: int,
    events: int,
    *,
    rate: float = 10.0,
    processes: int = 4,
    stalled: int = 0,
    compression: bool = False,
    during: Any = None,
    profile: str | None = None,
    ws_url: str | None = None,
) -> Delivery:
    """Open ``subscribers`` subscriptions (plus ``stalled`` that never read), then commit
    ``events`` licence changes at ``rate`` per second and collect every receipt.
    Subscribers connect to ``ws_url`` (another process) when given."""
    ws_url = ws_url or server.ws_url
    assert server.process is not None
    pid = server.process.pid
    result = Delivery(rss_idle=rss_bytes(pid))
    ctx = mp.get_context("spawn")
    ready, out = ctx.Queue(), ctx.Queue()
    per = [
        subscribers // processes + (1 if i < subscribers % processes else 0)
        for i in range(processes)
    ]
    token = str(tenant.admin.token)
    procs = [
        ctx.Process(
            target=_client_process,
            args=(ws_url, token, tenant.id, n, events, ready, out, False, compression),
        )
        if compression  # per-message deflate needs the full client
        else ctx.Process(target=_raw_client, args=(ws_url, token, tenant.id, n, events, ready, out))
        for n in per
        if n
    ]
    if stalled:
        procs.append(
            ctx.Process(
                target=_client_process,
                args=(ws_url, token, tenant.id, stalled, events, ready, out, True, False),
                daemon=True,
            )
        )
    for p in procs:
        p.start()
    try:
        for _ in range(subscribers + stalled):
            ready.get(timeout=300)
        time.sleep(1.0)
        result.rss_subscribed = rss_bytes(pid)
        users = [tenant.add_user(f"f{time.monotonic_ns()}-{i}@bench.example") for i in range(2)]
        spy = None
        if profile:  # py-spy on the server while the events are delivered
            spy = subprocess.Popen(
                [
                    *(_py_spy(), "record", "-r", "200", "-f", "raw", "-o", profile),
                    *("-d", str(int(events / rate + 3)), "-p", str(pid)),
                ]
            )
        _stats(server, reset=True)
        cpu_before = cpu_seconds(pid)
        with _in_thread(during) as during_result:
            started = time.monotonic()
            for i in range(events):  # assign, unassign, assign, ...: one event each
                user = users[(i // 2) % 2]
                if i % 2 == 0:
                    tenant.assign(user, "nextticket")
                else:
                    tenant.admin.ok(
                        "unassignLicense",
                        {"userId": user, "product": "nextticket"},
                        "license { id }",
                    )
                time.sleep(max(0.0, started + (i + 1) / rate - time.monotonic()))
            for p in procs:
                if not p.daemon:
                    latencies, errors = out.get(timeout=300)
                    result.latencies += latencies
                    result.errors += errors
        result.cpu = cpu_seconds(pid) - cpu_before
        stats = _stats(server)
        result.loop_lag_ms = float(stats["loopLagMaxMs"])
        result.gc_pause_ms = float(stats["gcPauseMaxMs"])
        result.during = during_result.get("value")
        if spy is not None:
            spy.wait()
    finally:
        for p in procs:
            if p.daemon and p.is_alive():
                p.kill()
            p.join(timeout=30)
    return result


def _py_spy() -> str:
    """py-spy from the virtualenv (a dev dependency), else from PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else "py-spy"


@contextlib.contextmanager
def _in_thread(work: Any) -> Iterator[dict[str, Any]]:
    """Run ``work()`` in a thread while the block runs; its value lands in the dict."""
    import threading

    box: dict[str, Any] = {}
    if work is None:
        yield box
        return

    def run() -> None:
        box["value"] = work()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield box
    finally:
        thread.join()


def _ms(values: list[float], q: float) -> str:
    return f"{pct(values, q) * 1e3:.1f}"


def main(subscribers: int = 1000, events: int = 20, big: int = 10_000) -> list[Row]:
    rows: list[Row] = []
    with bench_server() as (server, tenant):
        base = deliver(server, tenant, 1, events)
        many = deliver(server, tenant, subscribers, events)
        paced = deliver(server, tenant, subscribers, events // 2, rate=2.0)
    assert base.expected(1, events), base.errors[:3]
    assert many.expected(subscribers, events), (len(many.latencies), many.errors[:3])
    per_notice = (many.cpu - base.cpu) / max(len(many.latencies) - len(base.latencies), 1)
    rows += [
        (
            "baseline 1 subscriber p50 / p99",
            f"{_ms(base.latencies, 0.5)} / {_ms(base.latencies, 0.99)} ms",
        ),
        (
            f"{subscribers:,} subscribers, 10 notices/s: p50 / p99 (target p99 < 100 ms)",
            f"{_ms(many.latencies, 0.5)} / {_ms(many.latencies, 0.99)} ms",
        ),
        (f"{subscribers:,} subscribers mean", f"{statistics.mean(many.latencies) * 1e3:.1f} ms"),
        (
            f"{subscribers:,} subscribers, 2 notices/s: p50 / p99",
            f"{_ms(paced.latencies, 0.5)} / {_ms(paced.latencies, 0.99)} ms",
        ),
        (
            "p99 ratio to baseline",
            f"{pct(many.latencies, 0.99) / max(pct(base.latencies, 0.99), 1e-6):.1f}x",
        ),
        ("server CPU per delivered notice", f"{per_notice * 1e6:.0f} us"),
        ("events received", f"{len(many.latencies):,} of {subscribers * events:,}"),
    ]
    if big:
        big_events = 5
        with bench_server() as (server, tenant):
            huge = deliver(server, tenant, big, big_events, rate=1.0)
        received = len(huge.latencies)
        rows += [
            (
                f"{big:,} subscribers p50 / p99",
                f"{_ms(huge.latencies, 0.5)} / {_ms(huge.latencies, 0.99)} ms",
            ),
            (
                f"{big:,} subscribers: server RSS (target < 1 GB)",
                f"{huge.rss_subscribed / 2**20:,.0f} MiB "
                f"({huge.rss_idle / 2**20:,.0f} MiB before they connected)",
            ),
            (f"{big:,} subscribers: events received", f"{received:,} of {big * big_events:,}"),
        ]
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--big", type=int, default=10_000, help="0 skips the 10,000 run")
    parser.add_argument("--profile", help="write a py-spy raw profile of the server here")
    args = parser.parse_args()
    if args.profile:
        with bench_server() as (srv, fixture):
            got = deliver(srv, fixture, args.subscribers, args.events, profile=args.profile)
        print(f"received {len(got.latencies)}; p99 {_ms(got.latencies, 0.99)} ms")
        raise SystemExit(0)
    print_rows(main(args.subscribers, args.events, args.big))
