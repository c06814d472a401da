"""The committed schema.graphql is current and honours the API contract."""

from __future__ import annotations

import subprocess
import sys

import pytest

from schema import build_schema
from tests.support import ROOT

CONTRACT_CHECK = ROOT.parent / "shared" / "api" / "check_contract.py"


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == build_schema().as_str() + "\n", (
        "run `make schema` and commit schema.graphql"
    )


@pytest.mark.skipif(not CONTRACT_CHECK.exists(), reason="../shared/api/check_contract.py not found")
def test_schema_honours_the_contract() -> None:
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(ROOT / "schema.graphql")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert " 0 violation(s)" in result.stdout
