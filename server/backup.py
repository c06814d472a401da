"""Online backup and restore of the embedded SQLite database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


class BackupError(Exception):
    pass


def sqlite_path(database_url: str) -> Path:
    if not database_url.startswith("sqlite://"):
        raise BackupError(
            "backup/restore handle the SQLite file; for PostgreSQL use pg_dump -Fc and "
            "pg_restore (see README)"
        )
    return Path(database_url.removeprefix("sqlite://").split("?", 1)[0])


def backup(database_url: str, target: Path) -> int:
    """Copy the live database with SQLite's online backup API: a consistent snapshot
    even while the server writes. Returns the size in bytes."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists: choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    return target.stat().st_size


def restore(database_url: str, backup_file: Path, *, force: bool) -> None:
    """Replace the database file with a backup (stop the server first)."""
    target = sqlite_path(database_url)
    if not backup_file.exists():
        raise BackupError(f"no backup at {backup_file}")
    with sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True) as db:
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if ok != "ok" or "seat_event" not in tables:
        raise BackupError(f"{backup_file} is not a sound Seatgraph database ({ok})")
    if target.exists() and not force:
        raise BackupError(f"{target} exists: pass --force to replace it (stop the server first)")
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backup_file, target)
