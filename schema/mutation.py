"""The root Mutation type."""

from __future__ import annotations

import strawberry

from resolvers import licenses, users
from schema.payloads import (
    AdjustSeatCapacityPayload,
    AssignLicensePayload,
    CreateApiTokenPayload,
    CreateTenantPayload,
    CreateUserPayload,
    DeleteUserPayload,
    ReassignLicensePayload,
    UnassignLicensePayload,
    UpdateUserPayload,
)


@strawberry.type
class Mutation:
    create_tenant: CreateTenantPayload = strawberry.mutation(resolver=users.create_tenant)
    create_user: CreateUserPayload = strawberry.mutation(resolver=users.create_user)
    update_user: UpdateUserPayload = strawberry.mutation(resolver=users.update_user)
    delete_user: DeleteUserPayload = strawberry.mutation(resolver=users.delete_user)
    create_api_token: CreateApiTokenPayload = strawberry.mutation(resolver=users.create_api_token)
    assign_license: AssignLicensePayload = strawberry.mutation(resolver=licenses.assign_license)
    unassign_license: UnassignLicensePayload = strawberry.mutation(
        resolver=licenses.unassign_license
    )
    reassign_license: ReassignLicensePayload = strawberry.mutation(
        resolver=licenses.reassign_license
    )
    adjust_seat_capacity: AdjustSeatCapacityPayload = strawberry.mutation(
        resolver=licenses.adjust_seat_capacity
    )
