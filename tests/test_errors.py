"""Unexpected errors are masked with a request id that appears in the server's log."""

from __future__ import annotations

import json
import sqlite3
import time

import httpx
import pytest

from tests.support import TenantFixture


def test_unexpected_errors_are_masked_and_logged_with_the_request_id(tenant: TenantFixture) -> None:
    if tenant.server.backend != "sqlite":
        pytest.skip("corrupts the SQLite file directly")
    tenant.set_capacity("bi_psa", 1)
    path = tenant.server.database_url.removeprefix("sqlite://")
    with sqlite3.connect(path) as db:  # a row no code path writes: the resolver will fail
        db.execute(
            "UPDATE seat_event SET pool = ? WHERE tenant_id = (SELECT max(id) FROM tenant)",
            (json.dumps({"bogus": 1}),),
        )
    response = httpx.post(
        tenant.server.url,
        json={
            "query": "query($t: ID!) { tenant(id: $t) { events { nodes { pool { capacity } } } } }",
            "variables": {"t": tenant.id},
        },
        headers={**tenant.admin.headers(), "X-Request-Id": "req-test-42"},
    )
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-test-42"}
    assert error["message"] == "Internal server error. Quote request id req-test-42 to support."
    assert "bogus" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] == "req-test-42"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "req-test-42" not in tenant.server.log.read_text():
        time.sleep(0.1)
    log = tenant.server.log.read_text()
    assert "request req-test-42: unexpected error" in log and "Traceback" in log


def test_expected_errors_are_not_masked(tenant: TenantFixture) -> None:
    body = tenant.member.raw(
        "query($t: ID!) { tenant(id: $t) { events { totalCount } } }", {"t": tenant.id}
    )
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    assert body["errors"][0]["message"] == "Only administrators see the tenant's event log."
    invalid = tenant.member.raw("{ viewer { noSuchField } }")
    assert "noSuchField" in invalid["errors"][0]["message"]
