"""The domain enums exposed as GraphQL enums."""

from __future__ import annotations

import strawberry

from models import enums

TenantStatus = strawberry.enum(enums.TenantStatus)
Role = strawberry.enum(enums.Role)
UserStatus = strawberry.enum(enums.UserStatus)
ProductKind = strawberry.enum(enums.ProductKind)
AssignmentMode = strawberry.enum(enums.AssignmentMode)
PlanMode = strawberry.enum(enums.PlanMode)
LicenseState = strawberry.enum(enums.LicenseState)
SeatEventKind = strawberry.enum(enums.SeatEventKind)
ChangeSource = strawberry.enum(enums.ChangeSource)
ErrorCode = strawberry.enum(enums.ErrorCode)
AccessDenial = strawberry.enum(enums.AccessDenial)
BookingPageDisabledReason = strawberry.enum(enums.BookingPageDisabledReason)
