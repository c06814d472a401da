"""GraphQL types of phone-system configuration: mass configuration results and errors."""

from __future__ import annotations

from enum import StrEnum

import strawberry
from strawberry.file_uploads import Upload

from models.enums import ErrorCode
from models.massconfig import Report, RowError
from schema.common import UserError
from schema.types import License, User


@strawberry.enum
class MassConfigureOutcome(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"


@strawberry.type
class MassConfigureRow:
    line: int
    extension: str | None
    number: str | None
    user: User
    addons: list[str]
    outcome: MassConfigureOutcome


@strawberry.type
class MassConfigureResult:
    applied: bool = strawberry.field(description="False for a dry run.")
    created: int
    updated: int
    unchanged: int
    rows: list[MassConfigureRow]

    @classmethod
    def from_report(cls, report: Report) -> MassConfigureResult:
        return cls(
            applied=report.applied,
            created=report.count("CREATED"),
            updated=report.count("UPDATED"),
            unchanged=report.count("UNCHANGED"),
            rows=[
                MassConfigureRow(
                    line=r.line,
                    extension=r.extension,
                    number=r.number,
                    user=User.from_row(r.user),
                    addons=r.addons,
                    outcome=MassConfigureOutcome(r.outcome),
                )
                for r in report.rows
            ],
        )


@strawberry.type(description="A userError about one cell of the uploaded file.")
class MassConfigureUserError:
    field: list[str] | None
    message: str
    code: ErrorCode
    line: int = strawberry.field(description="1 is the header row.")
    column: str | None

    @classmethod
    def from_row_error(cls, e: RowError) -> MassConfigureUserError:
        where = f"Line {e.line}" + (f", {e.column}" if e.column else "")
        return cls(
            field=["input", "file", str(e.line), *([e.column] if e.column else [])],
            message=f"{where}: {e.message}",
            code=e.code,
            line=e.line,
            column=e.column,
        )


@strawberry.input
class MassConfigureInput:
    tenant_id: strawberry.ID
    file: Upload = strawberry.field(description="The CSV file (multipart upload).")
    dry_run: bool | None = False


@strawberry.type
class MassConfigurePayload:
    result: MassConfigureResult | None = None
    user_errors: list[MassConfigureUserError] = strawberry.field(default_factory=list)


@strawberry.input
class ConfigurePhoneLicenseInput:
    license_id: strawberry.ID
    extension: str | None = strawberry.field(default=None, description='"" clears it.')
    number: str | None = strawberry.field(default=None, description='"" clears it.')


@strawberry.type
class ConfigurePhoneLicensePayload:
    license: License | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
