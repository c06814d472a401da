"""HTTP routes for phone configuration files: the sample and a tenant's export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from models.auth import authenticate
from models.errors import DomainError
from models.globalids import from_global_id
from models.massconfig import SAMPLE, export_csv
from server.graphql_view import bearer


def _csv(text: str, filename: str) -> Response:
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def sample(request: Request) -> Response:
    return _csv(SAMPLE, "mass-configuration-sample.csv")


def export_route(operator_token: str | None) -> Callable[[Request], Awaitable[Response]]:
    async def export(request: Request) -> Response:
        token = bearer(request.headers.get("authorization", ""))
        actor = await authenticate(token, operator_token=operator_token) if token else None
        if actor is None:
            return JSONResponse({"code": "UNAUTHENTICATED", "message": "Send a bearer token."}, 401)
        decoded = from_global_id(request.path_params["tenant_id"])
        if decoded is None or decoded[0] != "Tenant":
            return JSONResponse({"code": "NOT_FOUND", "message": "No such tenant."}, 404)
        try:
            text = await export_csv(actor=actor, tenant_id=decoded[1])
        except DomainError as exc:
            status = 403 if exc.code.value == "FORBIDDEN" else 404
            return JSONResponse({"code": exc.code.value, "message": exc.message}, status)
        return _csv(text, "phone-configuration.csv")

    return export
