from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.peers import smtp_server
from tests.support import (
    Server,
    TenantFixture,
    cli,
    create_postgres_database,
    drop_postgres_database,
    new_tenant,
    running_server,
)

POSTGRES_URL = os.environ.get("SEATGRAPH_TEST_POSTGRES_URL")
MARKETPLACE_SECRETS = "pax8=pax8-test-secret,other=other-test-secret"
SKIP_POSTGRES = (
    "SEATGRAPH_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped "
    "(.ci/run sets it to postgres://postgres@127.0.0.1:5432/test)"
)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Any]:
    """A real SMTP server that the test servers send e-mail to."""
    with smtp_server() as handler:
        yield handler


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, mailbox: Any
) -> Iterator[Server]:
    """A real Seatgraph server process on a fresh database of each back-end."""
    tmp = tmp_path_factory.mktemp(request.param)
    env = {"SMTP_URL": mailbox.url, "SEATGRAPH_MARKETPLACE_SECRETS": MARKETPLACE_SECRETS}
    if request.param == "sqlite":
        url = f"sqlite://{tmp / 'seatgraph.db'}"
        with running_server("sqlite", url, tmp / "server.log", env) as srv:
            yield srv
            _assert_invariants(srv)
        return
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    url = create_postgres_database(POSTGRES_URL)
    try:
        with running_server("postgres", url, tmp / "server.log", env) as srv:
            yield srv
            _assert_invariants(srv)
    finally:
        drop_postgres_database(POSTGRES_URL, url)


def _assert_invariants(server: Server) -> None:
    """After every test of the session ran against it, the database is still consistent."""
    result = cli("check", env=server.env(), check=False)
    assert result.returncode == 0, f"seatgraph check after the suite:\n{result.stdout}"


@pytest.fixture
def tenant(server: Server) -> TenantFixture:
    return new_tenant(server)


def pytest_report_header() -> str:
    return f"PostgreSQL: {POSTGRES_URL}" if POSTGRES_URL else f"PostgreSQL: {SKIP_POSTGRES}"
