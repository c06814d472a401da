"""Fuzzing the GraphQL API with Schemathesis: no 5xx, no unmasked internal error.

Schemathesis generates queries and mutations from the served schema (bounded number of
cases) and sends them, as a tenant administrator, to a server of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Server, new_tenant, running_server


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    with running_server("sqlite", f"sqlite://{tmp / 'fuzz.db'}", tmp / "server.log") as server:
        tenant = new_tenant(server, "Fuzz")
        tenant.set_capacity("bi_psa", 5)
        yield server, str(tenant.admin.token)


def test_no_server_error_and_no_unmasked_error(fuzz_server: tuple[Server, str]) -> None:
    server, token = fuzz_server
    headers = {"Authorization": f"Bearer {token}"}
    # uploads are fuzzed as plain strings (the multipart path has its own tests)
    schemathesis.graphql.scalar(
        "Upload", st.just("file.csv").map(schemathesis.graphql.nodes.String)
    )
    schema = schemathesis.graphql.from_url(server.url, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # every query and mutation field
    failures: list[str] = []

    @given(case=st.one_of([op.as_strategy() for op in operations]))
    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{response.status_code}: {case.body}")
            return
        for error in response.json().get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            if error.get("path") and (not code or code == "INTERNAL_SERVER_ERROR"):
                failures.append(f"{error}: {case.body}")

    fuzz()
    assert failures == []
