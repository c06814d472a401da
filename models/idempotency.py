"""Idempotency keys for seat-changing mutations.

Same caller + same key + same input within 24 h returns the first result and changes
nothing; the same key with another input is IDEMPOTENCY_KEY_REUSED. A key is stored in
the transaction of the change it guards, so a concurrent duplicate either sees it or
fails on the unique index and then sees it. Refusals and dry runs commit nothing and
are not stored: repeating them is harmless.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.timezone import now

from models.errors import IdempotencyKeyReused, InvalidInput
from models.events import UnitOfWork, run_use_case

R = TypeVar("R")
TTL = timedelta(hours=24)


class IdempotencyRecord(Model):
    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=64)
    key = fields.CharField(max_length=200)
    operation = fields.CharField(max_length=64)
    request_hash = fields.CharField(max_length=64)
    result: dict[str, Any] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_record"
        unique_together = (("scope", "key"),)


class _KeyTaken(Exception):
    pass


def request_hash(operation: str, request: dict[str, Any]) -> str:
    canonical = json.dumps([operation, request], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _stored(scope: str, key: str, digest: str) -> dict[str, Any] | None:
    record = await IdempotencyRecord.get_or_none(scope=scope, key=key)
    if record is None:
        return None
    if record.created_at < now() - TTL:
        await IdempotencyRecord.filter(id=record.id).delete()
        return None
    if record.request_hash != digest:
        raise IdempotencyKeyReused()
    return record.result


async def execute(
    fn: Callable[[], Awaitable[R]],
    *,
    scope: str,
    operation: str,
    request: dict[str, Any],
    key: str | None,
    dry_run: bool,
    encode: Callable[[R], dict[str, Any]],
    decode: Callable[[dict[str, Any]], Awaitable[R]],
) -> tuple[R, UnitOfWork | None]:
    """Run a seat-changing use case once per idempotency key (see module docstring)."""
    if key is not None and (not key.strip() or len(key) > 200):
        raise InvalidInput(
            "idempotencyKey must be 1 to 200 characters.", field=("input", "idempotencyKey")
        )
    if key is None or dry_run:
        return await run_use_case(fn, dry_run=dry_run)
    digest = request_hash(operation, request)
    stored = await _stored(scope, key, digest)
    if stored is not None:
        return await decode(stored), None

    async def body() -> R:
        result = await fn()
        try:
            await IdempotencyRecord.create(
                scope=scope,
                key=key,
                operation=operation,
                request_hash=digest,
                result=encode(result),
            )
        except IntegrityError:
            raise _KeyTaken from None
        return result

    try:
        return await run_use_case(body)
    except _KeyTaken:
        stored = await _stored(scope, key, digest)
        if stored is None:  # pragma: no cover - the winner committed before we read
            raise IdempotencyKeyReused() from None
        return await decode(stored), None
