"""The seatgraph command line against real database files and a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Api, cli, running_server


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["migrate"],
        ["demo"],
        ["token"],
        ["token", "create"],
        ["catalog"],
        ["catalog", "load"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.stdout.startswith("usage: seatgraph")


def _db(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite://{tmp_path / 'cli.db'}"}


def test_commands_refuse_an_unmigrated_database(tmp_path: Path) -> None:
    result = cli("demo", env=_db(tmp_path), check=False)
    assert result.returncode == 1
    assert "run `seatgraph migrate`" in result.stderr


def test_migrate_is_repeatable(tmp_path: Path) -> None:
    first = cli("migrate", env=_db(tmp_path))
    assert "applied models.0001_initial" in first.stdout and "loaded catalog v1" in first.stdout
    second = cli("migrate", env=_db(tmp_path))
    assert "applied" not in second.stdout and "database is up to date" in second.stdout


def test_demo_loads_once_and_prints_working_tokens(tmp_path: Path) -> None:
    env = _db(tmp_path)
    cli("migrate", env=env)
    first = cli("demo", env=env)
    second = cli("demo", env=env)
    assert "created" in first.stdout and "already loaded" in second.stdout

    def tokens(out: str) -> tuple[str, str]:
        lines = {line.split(" ")[0]: line.rsplit(" ", 1)[1] for line in out.splitlines()}
        return lines["administrator"], lines["member"]

    old_admin, _ = tokens(first.stdout)
    admin, member = tokens(second.stdout)
    with running_server("sqlite", env["DATABASE_URL"], tmp_path / "server.log") as server:
        data = Api(server.url, admin).query(
            "{ viewer { tenant { users { totalCount } seatPools { product { code } capacity assigned "
            'overAllocated } licenses(filter: {product: "phone_system"}) { totalCount } } } }'
        )
        tenant = data["viewer"]["tenant"]
        assert tenant["users"]["totalCount"] == 100
        pools = {p["product"]["code"]: p for p in tenant["seatPools"]}
        assert pools["nextticket"]["capacity"] is None and pools["nextticket"]["assigned"] == 90
        assert pools["bi_rmm"]["assigned"] == pools["bi_rmm"]["capacity"]  # a full pool
        assert pools["live_engagement"]["overAllocated"] > 0
        assert tenant["licenses"]["totalCount"] == 20
        assert "scheduled_meeting" in pools
        statuses = Api(server.url, admin).query(
            "{ viewer { tenant { users(first: 100) { nodes { status } } } } }"
        )["viewer"]["tenant"]["users"]["nodes"]
        assert {s["status"] for s in statuses} == {
            "ACTIVE",
            "LOCKED",
            "INACTIVE",
            "ROOM",
            "RESOURCE",
            "ASSET",
            "QUEUE",
        }
        me = Api(server.url, member).query("{ viewer { user { role } } }")
        assert me["viewer"]["user"]["role"] == "MEMBER"
        stale = Api(server.url, old_admin).raw("{ viewer { isOperator } }")
        assert stale["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

        created = cli(
            "token", "create", "--tenant", "1", "--email", "admin@demo-msp.example", env=env
        )
        token = created.stdout.strip()
        assert Api(server.url, token).query("{ viewer { user { email } } }")["viewer"]["user"] == {
            "email": "admin@demo-msp.example"
        }
    unknown = cli(
        "token", "create", "--tenant", "1", "--email", "ghost@x.example", env=env, check=False
    )
    assert unknown.returncode == 1 and "no user ghost@x.example" in unknown.stderr
    bad = cli("token", "create", "--tenant", "abc", "--email", "a@b.example", env=env, check=False)
    assert bad.returncode == 2


def test_catalog_load_validates_and_reports(tmp_path: Path) -> None:
    env = _db(tmp_path)
    cli("migrate", env=env)
    broken = tmp_path / "broken.toml"
    broken.write_text('version = 2\n[[products]]\ncode = "x"\nname = "X"\nkind = "ADDON"\n')
    result = cli("catalog", "load", str(broken), env=env, check=False)
    assert result.returncode == 1
    assert "an add-on needs base_products" in result.stderr

    extended = tmp_path / "catalog.toml"
    default = (Path(__file__).parent.parent / "models" / "catalog.toml").read_text()
    extended.write_text(
        default.replace("version = 1", "version = 2")
        + '\n[[products]]\ncode = "fax"\nname = "Fax"\nkind = "BASE"\n'
    )
    loaded = cli("catalog", "load", str(extended), env=env)
    assert "loaded catalog v2" in loaded.stdout and "products added: fax" in loaded.stdout

    again = cli("catalog", "load", str(extended), env=env)
    assert "products added" not in again.stdout
