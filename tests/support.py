"""Test helpers: a real server process per back-end, and a small GraphQL client."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
OPERATOR_TOKEN = "operator-test-token-" + secrets.token_hex(8)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``seatgraph`` command line (as ``python -m server.cli``)."""
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"seatgraph {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def create_postgres_database(base_url: str) -> str:
    """A fresh, empty database next to the one in ``base_url``; returns its URL."""
    import asyncpg

    name = f"seatgraph_test_{os.getpid()}_{secrets.token_hex(4)}"

    async def go() -> None:
        conn = await asyncpg.connect(base_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(go())
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(base_url: str, url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]

    async def go() -> None:
        conn = await asyncpg.connect(base_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(go())


@dataclass
class Server:
    backend: str
    database_url: str
    url: str
    ws_url: str
    log: Path
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] | None = None

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "SEATGRAPH_OPERATOR_TOKEN": OPERATOR_TOKEN}

    def api(self, token: str | None = OPERATOR_TOKEN) -> Api:
        return Api(self.url, token)

    def start(self) -> None:
        port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        env = {
            **os.environ,
            **self.env(),
            "SEATGRAPH_QUERY_STATS": "true",
            "SEATGRAPH_RELAY_POLL_INTERVAL": "0.5",
            "SEATGRAPH_LOG_LEVEL": "INFO",
            "SEATGRAPH_DELIVERY_BACKOFF": "0.2",
            "SEATGRAPH_DELIVERY_POLL_INTERVAL": "0.2",
            "SEATGRAPH_SCHEDULER_INTERVAL": "0.5",
            "SEATGRAPH_RATE_LIMIT": "0",  # tests drive far more than a person would
            **(self.extra_env or {}),
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()}")
            try:
                if (
                    httpx.get(self.url.replace("/graphql", "/healthz"), timeout=1).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()}")

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(self.url.replace("/graphql", "/stats"), timeout=10).json()
        return body

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running_server(
    backend: str,
    database_url: str,
    log: Path,
    env: dict[str, str] | None = None,
    migrate: bool = True,
) -> Iterator[Server]:
    port = free_port()
    server = Server(
        backend=backend,
        database_url=database_url,
        url=f"http://127.0.0.1:{port}/graphql",
        ws_url=f"ws://127.0.0.1:{port}/graphql",
        log=log,
        extra_env=env,
    )
    if migrate:
        cli("migrate", env=server.env())
    server.start()
    try:
        yield server
    finally:
        server.stop()


class GraphQLErrors(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(json.dumps(errors, indent=1))
        self.errors = errors
        self.codes = [e.get("extensions", {}).get("code") for e in errors]


class Api:
    """A GraphQL client over real HTTP."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.token = token
        self.last_extensions: dict[str, Any] = {}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            self.url,
            json={"query": query, "variables": variables or {}},
            headers=self.headers(),
            timeout=60,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.last_extensions = body.get("extensions") or {}
        return body

    def upload(
        self, query: str, variables: dict[str, Any], path: str, content: bytes
    ) -> dict[str, Any]:
        """A GraphQL multipart request (the file goes to ``path`` in the variables)."""
        response = httpx.post(
            self.url,
            data={
                "operations": json.dumps({"query": query, "variables": variables}),
                "map": json.dumps({"0": [f"variables.{path}"]}),
            },
            files={"0": ("config.csv", content, "text/csv")},
            headers=self.headers(),
            timeout=300,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.last_extensions = body.get("extensions") or {}
        return body

    def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.raw(query, variables)
        if body.get("errors"):
            raise GraphQLErrors(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    def mutate(self, name: str, input: dict[str, Any], selection: str) -> dict[str, Any]:
        """Run one mutation; returns its payload (userErrors included)."""
        data = self.query(
            f"mutation($input: {name[0].upper()}{name[1:]}Input!) "
            f"{{ {name}(input: $input) {{ {selection} userErrors {{ field message code }} }} }}",
            {"input": input},
        )
        payload: dict[str, Any] = data[name]
        return payload

    def ok(self, name: str, input: dict[str, Any], selection: str) -> dict[str, Any]:
        payload = self.mutate(name, input, selection)
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


@dataclass
class TenantFixture:
    """A fresh tenant with an administrator and a member, each with a token."""

    server: Server
    id: str
    admin_id: str
    member_id: str
    admin: Api
    member: Api
    operator: Api

    def add_user(self, email: str, status: str = "ACTIVE", role: str = "MEMBER") -> str:
        payload = self.operator.ok(
            "createUser",
            {
                "tenantId": self.id,
                "email": email,
                "name": email.split("@")[0].title(),
                "status": status,
                "role": role,
            },
            "user { id }",
        )
        return str(payload["user"]["id"])

    def set_capacity(self, product: str, capacity: int | None) -> dict[str, Any]:
        payload = self.operator.ok(
            "adjustSeatCapacity",
            {
                "tenantId": self.id,
                "product": product,
                "capacity": capacity,
                "unlimited": capacity is None,
            },
            "seatPool { id capacity assigned available overAllocated }",
        )
        return dict(payload["seatPool"])

    def pool(self, product: str) -> dict[str, Any] | None:
        data = self.operator.query(
            "query($id: ID!, $p: String!) { tenant(id: $id) { seatPool(product: $p) "
            "{ capacity assigned available overAllocated } } }",
            {"id": self.id, "p": product},
        )
        pool: dict[str, Any] | None = data["tenant"]["seatPool"]
        return pool

    def assign(self, user_id: str, product: str, **extra: Any) -> dict[str, Any]:
        return self.admin.mutate(
            "assignLicense",
            {"userId": user_id, "product": product, **extra},
            "license { id uuid state assignee { id } } seatPool { capacity assigned available }",
        )

    def events(self, kinds: list[str] | None = None) -> list[dict[str, Any]]:
        data = self.operator.query(
            "query($id: ID!, $k: [SeatEventKind!]) { tenant(id: $id) { events(first: 100, kinds: $k) "
            "{ nodes { sequence kind source delta message product pool { capacity assigned available }"
            " actor { email } user { email } license { uuid } } } } }",
            {"id": self.id, "k": kinds},
        )
        return list(data["tenant"]["events"]["nodes"])


def new_tenant(server: Server, name: str = "Acme") -> TenantFixture:
    operator = server.api()
    tenant_id = operator.ok("createTenant", {"name": name}, "tenant { id }")["tenant"]["id"]
    suffix = secrets.token_hex(3)

    def user(email: str, role: str) -> tuple[str, Api]:
        uid = operator.ok(
            "createUser",
            {"tenantId": tenant_id, "email": email, "name": email.split("@")[0], "role": role},
            "user { id }",
        )["user"]["id"]
        token = operator.ok("createApiToken", {"userId": uid}, "token")["token"]
        return uid, Api(server.url, token)

    admin_id, admin = user(f"admin-{suffix}@acme.example", "ADMINISTRATOR")
    member_id, member = user(f"member-{suffix}@acme.example", "MEMBER")
    return TenantFixture(server, tenant_id, admin_id, member_id, admin, member, operator)
