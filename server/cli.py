"""The ``seatgraph`` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from server.settings import Settings, SettingsError, load_settings


def _fail(message: str, code: int = 2) -> int:
    print(f"seatgraph: error: {message}", file=sys.stderr)
    return code


def _run(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    from server.observability import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    print(f"Seatgraph serving GraphQL at http://{host}:{port}/graphql", flush=True)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
        ws_per_message_deflate=settings.ws_compression,
        lifespan="on",
        log_config=None,  # ours: JSON lines by default (SEATGRAPH_LOG_FORMAT)
        access_log=settings.log_format != "json",  # the JSON access line replaces it
        timeout_graceful_shutdown=10,
    )
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from server.db import migrate

    asyncio.run(migrate(settings.database_url))
    print("database is up to date")
    return 0


async def _with_db(settings: Settings, fn: Callable[[], Coroutine[Any, Any, int]]) -> int:
    from server.app import SchemaNotCurrent
    from server.db import database, pending_migrations

    pending = await pending_migrations(settings.database_url)
    if pending:
        raise SchemaNotCurrent(
            f"database schema is not current ({', '.join(pending)} pending): "
            "run `seatgraph migrate`"
        )
    async with database(settings.database_url):
        return await fn()


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from schema.relay import to_global_id
    from server.demo import load_demo

    async def go() -> int:
        result = await load_demo()
        state = "created" if result.created else "already loaded"
        print(
            f"demo tenant {result.tenant.name!r} {state}: "
            f"id {to_global_id('Tenant', result.tenant.id)}"
        )
        print(f"administrator token (admin@demo-msp.example): {result.admin_token}")
        print(f"member token (member@demo-msp.example):       {result.member_token}")
        return 0

    return _run(_with_db(settings, go))


def _tenant_pk(value: str) -> int | None:
    from schema.relay import from_global_id

    if value.isdigit():
        return int(value)
    decoded = from_global_id(value)
    return decoded[1] if decoded and decoded[0] == "Tenant" else None


def cmd_token_create(settings: Settings, args: argparse.Namespace) -> int:
    from models.auth import OPERATOR, issue_token
    from models.errors import DomainError
    from models.tenancy import User

    tenant_id = _tenant_pk(args.tenant)
    if tenant_id is None:
        return _fail(f"--tenant {args.tenant!r} is not a tenant id")

    async def go() -> int:
        user = await User.get_or_none(tenant_id=tenant_id, email=args.email.strip().lower())
        if user is None:
            return _fail(f"no user {args.email} in tenant {args.tenant}", 1)
        try:
            token = await issue_token(actor=OPERATOR, user=user, name=args.name)
        except DomainError as exc:
            return _fail(exc.message, 1)
        print(token)
        return 0

    return _run(_with_db(settings, go))


def cmd_catalog_load(settings: Settings, args: argparse.Namespace) -> int:
    from models.catalog_file import CatalogError, load_catalog, parse_catalog

    try:
        spec = parse_catalog(Path(args.file))
    except CatalogError as exc:
        print(f"seatgraph: catalog {exc.source} is not valid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1

    async def go() -> int:
        try:
            report = await load_catalog(spec)
        except CatalogError as exc:
            for problem in exc.problems:
                print(f"seatgraph: catalog not loaded: {problem}", file=sys.stderr)
            return 1
        print(f"loaded catalog v{report.version} from {args.file}")
        for label, items in (
            ("products added", report.products_added),
            ("products updated", report.products_updated),
            ("plans added", report.plans_added),
            ("plans updated", report.plans_updated),
            ("kept (not in file, may be in use)", report.kept_unlisted),
        ):
            if items:
                print(f"  {label}: {', '.join(items)}")
        return 0

    return _run(_with_db(settings, go))


def cmd_marketplace_sign(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from notifications.channels import SIGNATURE_HEADER, sign

    raw = Path(args.file).read_bytes()
    try:
        body = json.loads(raw)
    except ValueError:
        return _fail(f"{args.file} is not JSON")
    partner = body.get("partner") if isinstance(body, dict) else None
    secret = args.secret or settings.marketplace_secrets.get(str(partner))
    if not secret:
        return _fail(
            f"no secret for partner {partner!r}: pass --secret or set SEATGRAPH_MARKETPLACE_SECRETS"
        )
    print(f"{SIGNATURE_HEADER}: {sign(secret, raw)}")
    return 0


def cmd_mass_configure(settings: Settings, args: argparse.Namespace) -> int:
    from models.auth import OPERATOR
    from models.errors import DomainError
    from models.events import run_use_case
    from models.massconfig import Rejected, mass_configure

    tenant_id = _tenant_pk(args.tenant)
    if tenant_id is None:
        return _fail(f"--tenant {args.tenant!r} is not a tenant id")
    text = Path(args.file).read_text(encoding="utf-8")

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty() or done == total or done % 500 == 0:
            width = 30
            filled = width * done // max(total, 1)
            end = "\n" if done == total else "\r"
            bar = "#" * filled + "." * (width - filled)
            print(f"[{bar}] {done}/{total} rows", end=end, file=sys.stderr, flush=True)

    async def go() -> int:
        try:
            report, _ = await run_use_case(
                lambda: mass_configure(
                    actor=OPERATOR,
                    tenant_id=tenant_id,
                    text=text,
                    dry_run=args.dry_run,
                    progress=progress,
                )
            )
        except Rejected as rejected:
            for e in rejected.report.errors:
                where = f"line {e.line}" + (f", {e.column}" if e.column else "")
                print(f"{args.file}: {where}: {e.code.value}: {e.message}", file=sys.stderr)
            print(f"nothing applied: {len(rejected.report.errors)} problem(s)", file=sys.stderr)
            return 1
        except DomainError as exc:
            return _fail(exc.message, 1)
        verb = "would apply" if args.dry_run else "applied"
        print(
            f"{verb} {len(report.rows)} rows: {report.count('CREATED')} created, "
            f"{report.count('UPDATED')} updated, {report.count('UNCHANGED')} unchanged"
        )
        return 0

    return _run(_with_db(settings, go))


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from models.invariants import violations

    async def go() -> int:
        found = await violations()
        for line in found:
            print(line)
        print(f"{len(found)} violation(s)" if found else "all invariants hold", file=sys.stderr)
        return 1 if found else 0

    return _run(_with_db(settings, go))


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from server.backup import BackupError, backup

    try:
        size = backup(settings.database_url, Path(args.path))
    except BackupError as exc:
        return _fail(str(exc), 1)
    print(f"backed up to {args.path} ({size:,} bytes)")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from server.backup import BackupError, restore

    try:
        restore(settings.database_url, Path(args.path), force=args.force)
    except BackupError as exc:
        return _fail(str(exc), 1)
    print(f"restored {args.path}; run `seatgraph migrate` if it predates this version")
    return 0


def cmd_phone_sample(settings: Settings, args: argparse.Namespace) -> int:
    from models.massconfig import SAMPLE

    _write(args.output, SAMPLE)
    return 0


def cmd_phone_export(settings: Settings, args: argparse.Namespace) -> int:
    from models.auth import OPERATOR
    from models.massconfig import export_csv

    tenant_id = _tenant_pk(args.tenant)
    if tenant_id is None:
        return _fail(f"--tenant {args.tenant!r} is not a tenant id")

    async def go() -> int:
        _write(args.output, await export_csv(actor=OPERATOR, tenant_id=tenant_id))
        return 0

    return _run(_with_db(settings, go))


def _write(output: str | None, text: str) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seatgraph",
        description="Seatgraph: GraphQL seat licensing. Settings come from the environment "
        "(DATABASE_URL, SEATGRAPH_OPERATOR_TOKEN, SEATGRAPH_HOST, SEATGRAPH_PORT, "
        "SEATGRAPH_LOG_LEVEL) or a .env file.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve GraphQL (and GraphiQL) over HTTP and WebSocket")
    serve.add_argument("--host", help="address to bind (default: SEATGRAPH_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: SEATGRAPH_PORT or 8000)")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations and load the catalog")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load the demo tenant once and print fresh demo tokens")
    demo.set_defaults(func=cmd_demo)

    token = sub.add_parser("token", help="manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="print a new API token for a user")
    create.add_argument("--tenant", required=True, help="tenant id (global ID or number)")
    create.add_argument("--email", required=True, help="the user's e-mail address")
    create.add_argument("--name", default="cli", help="a label for the token (default: cli)")
    create.set_defaults(func=cmd_token_create)

    catalog = sub.add_parser("catalog", help="manage the product and plan catalog")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    load = catalog_sub.add_parser("load", help="validate and load a catalog file (TOML or JSON)")
    load.add_argument("file", help="path to the catalog file")
    load.set_defaults(func=cmd_catalog_load)

    backup_cmd = sub.add_parser(
        "backup", help="online backup of the SQLite database (consistent while serving)"
    )
    backup_cmd.add_argument("path", help="the backup file to create")
    backup_cmd.set_defaults(func=cmd_backup)
    restore_cmd = sub.add_parser("restore", help="replace the SQLite database with a backup")
    restore_cmd.add_argument("path", help="the backup file")
    restore_cmd.add_argument("--force", action="store_true", help="replace an existing database")
    restore_cmd.set_defaults(func=cmd_restore)

    check = sub.add_parser("check", help="verify the database's invariants (exit 1 on violations)")
    check.set_defaults(func=cmd_check)

    mass = sub.add_parser(
        "mass-configure", help="configure phone-system licences from a CSV file (all or nothing)"
    )
    mass.add_argument("--tenant", required=True, help="tenant id (global ID or number)")
    mass.add_argument("file", help="CSV: Ext Key, Number, User, Addon license 1..N")
    mass.add_argument("--dry-run", action="store_true", help="validate and report, change nothing")
    mass.set_defaults(func=cmd_mass_configure)

    phone_cmd = sub.add_parser("phone", help="phone-system configuration files")
    phone_sub = phone_cmd.add_subparsers(dest="phone_command", required=True, metavar="ACTION")
    sample_cmd = phone_sub.add_parser("sample", help="write the sample mass-configuration CSV")
    sample_cmd.add_argument("-o", "--output", help="file to write (default: stdout)")
    sample_cmd.set_defaults(func=cmd_phone_sample)
    export_cmd = phone_sub.add_parser("export", help="export a tenant's configuration as CSV")
    export_cmd.add_argument("--tenant", required=True, help="tenant id (global ID or number)")
    export_cmd.add_argument("-o", "--output", help="file to write (default: stdout)")
    export_cmd.set_defaults(func=cmd_phone_export)

    market = sub.add_parser("marketplace", help="tools for marketplace integrations")
    market_sub = market.add_subparsers(dest="marketplace_command", required=True, metavar="ACTION")
    sign_cmd = market_sub.add_parser(
        "sign", help="print the Seatgraph-Signature header for a provisioning request body"
    )
    sign_cmd.add_argument("file", help="the exact JSON body you will send")
    sign_cmd.add_argument(
        "--secret", help="the partner's secret (default: from SEATGRAPH_MARKETPLACE_SECRETS)"
    )
    sign_cmd.set_defaults(func=cmd_marketplace_sign)
    return parser


def main(argv: list[str] | None = None) -> int:
    from server.app import SchemaNotCurrent

    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    try:
        result: int = args.func(settings, args)
    except SchemaNotCurrent as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), 1)
    return result


if __name__ == "__main__":
    sys.exit(main())
