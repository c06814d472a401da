"""Settings, read once from the environment and an optional ``.env`` file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from starlette.config import Config

DEFAULT_SQLITE_PATH = Path("var") / "seatgraph.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A bad setting; the message is one line naming the variable and what is wrong."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    operator_token: str | None
    host: str
    port: int
    log_level: str
    relay_poll_interval: float
    subscriber_queue_size: int
    query_stats: bool
    max_query_depth: int
    max_aliases: int
    graphiql: bool
    smtp_url: str | None
    mail_from: str
    delivery_max_attempts: int
    delivery_backoff: float
    delivery_poll_interval: float
    marketplace_secrets: dict[str, str]
    scheduler_interval: float
    rate_limit: int
    max_tokens: int
    max_body_bytes: int
    max_upload_bytes: int
    max_subscriptions_per_connection: int
    max_connections_per_token: int
    introspection: bool
    ws_compression: bool
    cors_origins: tuple[str, ...]
    bench_routes: bool
    log_format: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")


def default_database_url() -> str:
    return f"sqlite://{DEFAULT_SQLITE_PATH.resolve()}"


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name}={value!r} is not a boolean (use true or false)")


def _number(name: str, value: str, kind: type[int] | type[float], low: float, high: float) -> float:
    try:
        number = kind(value)
    except ValueError:
        raise SettingsError(
            f"{name}={value!r} is not a{'n integer' if kind is int else ' number'}"
        ) from None
    if not low <= number <= high:
        raise SettingsError(f"{name}={value!r} must be between {low:g} and {high:g}")
    return number


def check_database_url(url: str, name: str = "DATABASE_URL") -> str:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = url[len("sqlite://") :]
        if not path or path.startswith("?"):
            raise SettingsError(f"{name}={url!r} needs a file path, e.g. sqlite://var/seatgraph.db")
        return url
    if parts.scheme in ("postgres", "postgresql", "asyncpg"):
        if not parts.hostname or not parts.path.strip("/"):
            raise SettingsError(f"{name}={url!r} needs a host and a database name")
        return url
    raise SettingsError(
        f"{name}={url!r}: unsupported scheme {parts.scheme!r} (use sqlite:// or postgres://)"
    )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise SettingsError on the first bad one."""
    env_file = Path(".env")
    config = Config(
        env_file=env_file if environ is None and env_file.is_file() else None,
        environ=dict(os.environ if environ is None else environ),
    )

    def get(name: str, default: str) -> str:
        return str(config(name, default=default))

    database_url = check_database_url(get("DATABASE_URL", "") or default_database_url())
    operator_token = get("SEATGRAPH_OPERATOR_TOKEN", "") or None
    if operator_token is not None and len(operator_token) < 16:
        raise SettingsError("SEATGRAPH_OPERATOR_TOKEN must be at least 16 characters")
    log_level = get("SEATGRAPH_LOG_LEVEL", "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(
            f"SEATGRAPH_LOG_LEVEL={log_level!r} is not one of {', '.join(LOG_LEVELS)}"
        )
    host = get("SEATGRAPH_HOST", "127.0.0.1")
    if not host.strip():
        raise SettingsError("SEATGRAPH_HOST must not be empty")
    return Settings(
        database_url=database_url,
        operator_token=operator_token,
        host=host,
        port=int(_number("SEATGRAPH_PORT", get("SEATGRAPH_PORT", "8000"), int, 1, 65535)),
        log_level=log_level,
        relay_poll_interval=_number(
            "SEATGRAPH_RELAY_POLL_INTERVAL",
            get("SEATGRAPH_RELAY_POLL_INTERVAL", "1.0"),
            float,
            0.05,
            3600,
        ),
        subscriber_queue_size=int(
            _number(
                "SEATGRAPH_SUBSCRIBER_QUEUE_SIZE",
                get("SEATGRAPH_SUBSCRIBER_QUEUE_SIZE", "1000"),
                int,
                1,
                1_000_000,
            )
        ),
        query_stats=_bool("SEATGRAPH_QUERY_STATS", get("SEATGRAPH_QUERY_STATS", "false")),
        max_query_depth=int(
            _number(
                "SEATGRAPH_MAX_QUERY_DEPTH", get("SEATGRAPH_MAX_QUERY_DEPTH", "12"), int, 2, 100
            )
        ),
        max_aliases=int(
            _number("SEATGRAPH_MAX_ALIASES", get("SEATGRAPH_MAX_ALIASES", "30"), int, 1, 1000)
        ),
        graphiql=_bool("SEATGRAPH_GRAPHIQL", get("SEATGRAPH_GRAPHIQL", "true")),
        smtp_url=_smtp_url(get("SMTP_URL", "")),
        mail_from=get("SEATGRAPH_MAIL_FROM", "seatgraph@localhost"),
        delivery_max_attempts=int(
            _number(
                "SEATGRAPH_DELIVERY_MAX_ATTEMPTS",
                get("SEATGRAPH_DELIVERY_MAX_ATTEMPTS", "8"),
                int,
                1,
                100,
            )
        ),
        delivery_backoff=_number(
            "SEATGRAPH_DELIVERY_BACKOFF",
            get("SEATGRAPH_DELIVERY_BACKOFF", "900"),
            float,
            0.01,
            86400,
        ),
        marketplace_secrets=_secrets(get("SEATGRAPH_MARKETPLACE_SECRETS", "")),
        rate_limit=int(
            _number("SEATGRAPH_RATE_LIMIT", get("SEATGRAPH_RATE_LIMIT", "3000"), int, 0, 10_000_000)
        ),
        max_tokens=int(
            _number(
                "SEATGRAPH_MAX_TOKENS", get("SEATGRAPH_MAX_TOKENS", "5000"), int, 100, 1_000_000
            )
        ),
        max_body_bytes=int(
            _number(
                "SEATGRAPH_MAX_BODY_BYTES",
                get("SEATGRAPH_MAX_BODY_BYTES", "1048576"),
                int,
                1024,
                1 << 30,
            )
        ),
        max_upload_bytes=int(
            _number(
                "SEATGRAPH_MAX_UPLOAD_BYTES",
                get("SEATGRAPH_MAX_UPLOAD_BYTES", "6291456"),
                int,
                1024,
                1 << 30,
            )
        ),
        max_subscriptions_per_connection=int(
            _number(
                "SEATGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION",
                get("SEATGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", "100"),
                int,
                1,
                10_000,
            )
        ),
        max_connections_per_token=int(
            _number(
                "SEATGRAPH_MAX_CONNECTIONS_PER_TOKEN",
                get("SEATGRAPH_MAX_CONNECTIONS_PER_TOKEN", "100"),
                int,
                1,
                1_000_000,
            )
        ),
        introspection=_bool("SEATGRAPH_INTROSPECTION", get("SEATGRAPH_INTROSPECTION", "true")),
        ws_compression=_bool("SEATGRAPH_WS_COMPRESSION", get("SEATGRAPH_WS_COMPRESSION", "false")),
        cors_origins=_origins(get("SEATGRAPH_CORS_ORIGINS", "")),
        bench_routes=_bool("SEATGRAPH_BENCH_ROUTES", get("SEATGRAPH_BENCH_ROUTES", "false")),
        log_format=_choice(
            "SEATGRAPH_LOG_FORMAT", get("SEATGRAPH_LOG_FORMAT", "json"), ("json", "text")
        ),
        scheduler_interval=_number(
            "SEATGRAPH_SCHEDULER_INTERVAL",
            get("SEATGRAPH_SCHEDULER_INTERVAL", "5"),
            float,
            0.1,
            3600,
        ),
        delivery_poll_interval=_number(
            "SEATGRAPH_DELIVERY_POLL_INTERVAL",
            get("SEATGRAPH_DELIVERY_POLL_INTERVAL", "1.0"),
            float,
            0.05,
            3600,
        ),
    )


def _origins(value: str) -> tuple[str, ...]:
    """Comma-separated origins such as https://app.example.com (or * for any)."""
    origins = tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if origin != "*" and (
            parts.scheme not in ("http", "https") or not parts.netloc or parts.path
        ):
            raise SettingsError(
                f"SEATGRAPH_CORS_ORIGINS: {origin!r} is not an origin like https://app.example.com"
            )
    return origins


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value.lower() not in allowed:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(allowed)}")
    return value.lower()


def _secrets(value: str) -> dict[str, str]:
    """``partner=secret,other=secret`` -> {partner: secret}."""
    out: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in value.split(","))):
        partner, sep, secret = item.partition("=")
        if not sep or not partner.strip() or len(secret.strip()) < 8:
            raise SettingsError(
                "SEATGRAPH_MARKETPLACE_SECRETS must be partner=secret pairs separated by "
                "commas, each secret at least 8 characters"
            )
        out[partner.strip()] = secret.strip()
    return out


def _smtp_url(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SettingsError(f"SMTP_URL={url!r} must look like smtp://[user:pass@]host:port")
    return url
