"""Settings: defaults, and one clear line for each bad value."""

from __future__ import annotations

import pytest

from server.settings import SettingsError, load_settings
from tests.support import cli


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite://") and settings.database_url.endswith(
        "var/seatgraph.db"
    )
    assert (settings.host, settings.port, settings.log_level) == ("127.0.0.1", 8000, "INFO")
    assert settings.operator_token is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SEATGRAPH_PORT": "eighty"}, "SEATGRAPH_PORT='eighty' is not an integer"),
        ({"SEATGRAPH_PORT": "70000"}, "SEATGRAPH_PORT='70000' must be between 1 and 65535"),
        ({"DATABASE_URL": "mysql://x/y"}, "unsupported scheme 'mysql'"),
        ({"DATABASE_URL": "postgres://localhost"}, "needs a host and a database name"),
        ({"SEATGRAPH_OPERATOR_TOKEN": "short"}, "at least 16 characters"),
        ({"SEATGRAPH_LOG_LEVEL": "LOUD"}, "SEATGRAPH_LOG_LEVEL='LOUD' is not one of"),
        ({"SEATGRAPH_QUERY_STATS": "maybe"}, "is not a boolean"),
        ({"SEATGRAPH_RELAY_POLL_INTERVAL": "0"}, "must be between"),
    ],
)
def test_bad_values_fail_with_one_clear_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_cli_reports_a_bad_setting_in_one_line_and_exits_2() -> None:
    result = cli("serve", env={"SEATGRAPH_PORT": "eighty"}, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "seatgraph: error: SEATGRAPH_PORT='eighty' is not an integer"
    ]
