"""Phone-system mutations: configure a licence, terminate by UUID, mass configuration."""

from __future__ import annotations

from typing import Any

import strawberry

from models import massconfig, phone
from models.errors import DomainError, InvalidInput
from models.events import run_use_case
from models.licensing import ReleaseResult
from models.seats import License as LicenseRow
from models.tenancy import Tenant as TenantRow
from resolvers import ids
from resolvers.errors import user_errors
from resolvers.licenses import _decode_release, _encode_release, seat_change
from schema.inputs import TerminateLicenseInput
from schema.payloads import TerminateLicensePayload
from schema.phone import (
    ConfigurePhoneLicenseInput,
    ConfigurePhoneLicensePayload,
    MassConfigureInput,
    MassConfigurePayload,
    MassConfigureResult,
    MassConfigureUserError,
)
from schema.types import License, SeatPool

MAX_UPLOAD = 5 * 1024 * 1024


async def configure_phone_license(
    info: strawberry.Info, input: ConfigurePhoneLicenseInput
) -> ConfigurePhoneLicensePayload:
    actor = info.context.require_actor()

    async def op() -> LicenseRow:
        row = await ids.load(LicenseRow, input.license_id, ("input", "licenseId"))
        return await phone.configure_phone(
            actor=actor, license=row, extension=input.extension, number=input.number
        )

    try:
        row, _ = await run_use_case(op)
    except DomainError as exc:
        return ConfigurePhoneLicensePayload(user_errors=user_errors(exc))
    return ConfigurePhoneLicensePayload(license=License.from_row(row))


async def terminate_license(
    info: strawberry.Info, input: TerminateLicenseInput
) -> TerminateLicensePayload:
    actor = info.context.require_actor()

    async def op() -> ReleaseResult:
        return await phone.terminate_license(actor=actor, uuid=input.uuid, force=bool(input.force))

    try:
        result, uow = await seat_change(
            actor, input, "terminateLicense", op, encode=_encode_release, decode=_decode_release
        )
    except DomainError as exc:
        return TerminateLicensePayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return TerminateLicensePayload(
        license=License.from_row(result.license), seat_pool=SeatPool.from_row(result.pool)
    )


async def mass_configure(info: strawberry.Info, input: MassConfigureInput) -> MassConfigurePayload:
    actor = info.context.require_actor()
    upload: Any = input.file
    try:
        if not callable(getattr(upload, "read", None)):
            raise InvalidInput(
                "file must be a multipart upload (GraphQL multipart request).",
                field=("input", "file"),
            )
        raw: bytes = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise InvalidInput("The file is larger than 5 MB.", field=("input", "file"))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("The file must be UTF-8 CSV.", field=("input", "file")) from None
        tenant = await ids.load(TenantRow, input.tenant_id, ("input", "tenantId"))

        async def op() -> massconfig.Report:
            return await massconfig.mass_configure(
                actor=actor, tenant_id=tenant.id, text=text, dry_run=bool(input.dry_run)
            )

        report, uow = await run_use_case(op)
    except massconfig.Rejected as rejected:
        return MassConfigurePayload(
            user_errors=[MassConfigureUserError.from_row_error(e) for e in rejected.report.errors]
        )
    except DomainError as exc:
        return MassConfigurePayload(
            user_errors=[
                MassConfigureUserError(
                    field=list(exc.field) if exc.field else None,
                    message=exc.message,
                    code=exc.code,
                    line=0,
                    column=None,
                )
            ]
        )
    info.context.publish(uow)
    return MassConfigurePayload(result=MassConfigureResult.from_report(report))
