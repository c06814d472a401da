"""Operations: health and readiness, metrics, JSON access logs, CORS, backup and restore."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import websockets

from tests.support import Server, TenantFixture, cli, new_tenant, running_server


def base(server: Server) -> str:
    return server.url.removesuffix("/graphql")


def test_health_and_readiness(server: Server) -> None:
    assert httpx.get(base(server) + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(base(server) + "/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert (
        checks["database"]
        == checks["migrations"]
        == checks["relay"]
        == checks["deliveries"]
        == "ok"
    )
    if server.backend == "postgres":
        assert checks["listen"] == "ok"


def test_metrics_count_operations_refusals_and_subscriptions(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_rmm", 0)
    tenant.admin.raw("query SeatSummary { viewer { tenant { seatPools { assigned } } } }")
    tenant.assign(tenant.member_id, "bi_rmm")  # refused: SEAT_LIMIT_REACHED
    text = httpx.get(base(tenant.server) + "/metrics").text
    assert 'seatgraph_graphql_requests_total{operation="SeatSummary",outcome="ok"}' in text
    assert 'seatgraph_graphql_request_seconds_bucket{le="0.05",operation="SeatSummary"}' in text
    assert "seatgraph_seat_limit_refusals_total" in text
    [sample] = [
        x for x in text.splitlines() if x.startswith("seatgraph_seat_limit_refusals_total ")
    ]
    refusals = float(sample.split()[1])
    assert refusals >= 1
    assert "seatgraph_open_subscriptions" in text and "seatgraph_events_relayed_total" in text
    assert "seatgraph_delivery_attempts_total" in text
    assert "seatgraph_event_loop_lag_seconds" in text


def test_one_json_access_line_per_request(tenant: TenantFixture) -> None:
    response = httpx.post(
        tenant.server.url,
        json={"query": "query WhoAmI { viewer { isOperator } }"},
        headers={**tenant.admin.headers(), "X-Request-Id": "log-line-1"},
    )
    assert response.status_code == 200
    deadline = time.monotonic() + 5
    lines: list[dict[str, object]] = []
    while time.monotonic() < deadline and not lines:
        for line in tenant.server.log.read_text().splitlines():
            if '"log-line-1"' in line:
                lines.append(json.loads(line))
        time.sleep(0.1)
    [entry] = lines
    assert entry["logger"] == "seatgraph.access" and entry["operation"] == "WhoAmI"
    assert entry["outcome"] == "ok" and entry["requestId"] == "log-line-1"
    assert isinstance(entry["durationMs"], float) and entry["tenant"] is not None


def test_cors_and_websocket_origins(tmp_path: Path) -> None:
    env = {"SEATGRAPH_CORS_ORIGINS": "https://app.example.com"}
    with running_server(
        "sqlite", f"sqlite://{tmp_path / 'cors.db'}", tmp_path / "s.log", env
    ) as server:
        tenant = new_tenant(server)
        allowed = httpx.options(
            server.url,
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
        denied = httpx.options(
            server.url,
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in denied.headers

        async def ws(origin: str) -> bool:
            try:
                async with websockets.connect(
                    server.ws_url,
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                    origin=origin,
                ) as conn:  # type: ignore[arg-type]
                    await conn.send(
                        json.dumps(
                            {
                                "type": "connection_init",
                                "payload": {"Authorization": f"Bearer {tenant.admin.token}"},
                            }
                        )
                    )
                    return json.loads(await conn.recv())["type"] == "connection_ack"
            except websockets.InvalidStatus:
                return False

        assert asyncio.run(ws("https://app.example.com")) is True
        assert asyncio.run(ws("https://evil.example")) is False


def test_bad_cors_setting_fails_at_start() -> None:
    result = cli("serve", env={"SEATGRAPH_CORS_ORIGINS": "app.example.com"}, check=False)
    assert result.returncode == 2 and "SEATGRAPH_CORS_ORIGINS" in result.stderr


def test_backup_while_serving_and_restore(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'live.db'}"
    with running_server("sqlite", url, tmp_path / "s.log") as server:
        tenant = new_tenant(server, "Backed up")
        tenant.set_capacity("bi_psa", 3)
        backup = tmp_path / "snapshot.db"
        out = cli("backup", str(backup), env={"DATABASE_URL": url})
        assert "backed up to" in out.stdout
        tenant.set_capacity("bi_psa", 7)  # after the snapshot
        tenant_id = tenant.id
    refused = cli("restore", str(backup), env={"DATABASE_URL": url}, check=False)
    assert refused.returncode == 1 and "--force" in refused.stderr
    cli("restore", str(backup), "--force", env={"DATABASE_URL": url})
    assert "all invariants hold" in cli("check", env={"DATABASE_URL": url}).stderr
    with running_server("sqlite", url, tmp_path / "s2.log", migrate=False) as server:
        pool = server.api().query(
            'query($t: ID!) { tenant(id: $t) { seatPool(product: "bi_psa") { capacity } } }',
            {"t": tenant_id},
        )["tenant"]["seatPool"]
        assert pool == {"capacity": 3}
    pg = cli(
        "backup",
        str(tmp_path / "x.db"),
        env={"DATABASE_URL": "postgres://u@h:5432/db"},
        check=False,
    )
    assert pg.returncode == 1 and "pg_dump" in pg.stderr


def test_graceful_shutdown_completes_subscriptions(tmp_path: Path) -> None:
    import signal

    from tests.ws import Subscription

    with running_server("sqlite", f"sqlite://{tmp_path / 'term.db'}", tmp_path / "s.log") as server:
        tenant = new_tenant(server)

        async def go() -> int:
            async with Subscription(server.ws_url, tenant.admin.token) as sub:
                await sub.subscribe({"tenantId": tenant.id})
                await asyncio.sleep(0.3)
                assert server.process is not None
                server.process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(sub.ws.recv(), 15)
                except websockets.ConnectionClosed as exc:
                    assert exc.rcvd is not None
                    return exc.rcvd.code
            return 0

        assert asyncio.run(go()) == 1012  # Service Restart: resume with `after` elsewhere
        assert server.process is not None
        server.process.wait(timeout=20)
