"""POST /marketplace/provision-requests: signed requests from reseller marketplaces."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from models.marketplace import BadRequest, provision, validate
from notifications.channels import SIGNATURE_HEADER, verify

MAX_BODY = 64 * 1024


def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def provision_endpoint(
    secrets: dict[str, str], published: Callable[[set[int]], None]
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The endpoint: 400 malformed (naming the field), 401 bad signature, 409 replayed id
    with another body, 422 rule violation, 200 fulfilled (or the replayed first answer)."""

    async def endpoint(request: Request) -> JSONResponse:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return _json(413, {"status": "INVALID", "field": "body", "message": "Body too large."})
        try:
            body = json.loads(raw)
        except ValueError:
            return _json(400, {"status": "INVALID", "field": "body", "message": "Not JSON."})
        partner = body.get("partner") if isinstance(body, dict) else None
        secret = secrets.get(partner) if isinstance(partner, str) else None
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if secret is None or not verify(secret, raw, signature):
            return _json(
                401,
                {
                    "status": "UNAUTHORIZED",
                    "message": "Unknown partner, or a missing, wrong or expired (older than 5 "
                    "minutes) Seatgraph-Signature.",
                },
            )
        try:
            body = validate(body)
        except BadRequest as exc:
            return _json(400, {"status": "INVALID", "field": exc.field, "message": exc.message})
        outcome = await provision(raw, body)
        published(outcome.tenant_ids)
        return _json(outcome.status_code, outcome.body)

    return endpoint
