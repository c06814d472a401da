"""Mutations on tenants, users and API tokens."""

from __future__ import annotations

import strawberry

from models import users
from models.auth import issue_token
from models.enums import Role, UserStatus
from models.errors import DomainError
from models.events import run_use_case
from models.seats import License as LicenseRow
from models.tenancy import Tenant as TenantRow
from models.tenancy import User as UserRow
from resolvers import ids
from resolvers.errors import user_errors
from schema.inputs import (
    CreateApiTokenInput,
    CreateTenantInput,
    CreateUserInput,
    DeleteUserInput,
    UpdateUserInput,
)
from schema.payloads import (
    CreateApiTokenPayload,
    CreateTenantPayload,
    CreateUserPayload,
    DeleteUserPayload,
    UpdateUserPayload,
)
from schema.relay import to_global_id
from schema.types import License, Tenant, User


async def create_tenant(info: strawberry.Info, input: CreateTenantInput) -> CreateTenantPayload:
    actor = info.context.require_actor()
    try:
        row, _ = await run_use_case(lambda: users.create_tenant(actor=actor, name=input.name))
    except DomainError as exc:
        return CreateTenantPayload(user_errors=user_errors(exc))
    return CreateTenantPayload(tenant=Tenant.from_row(row))


async def create_user(info: strawberry.Info, input: CreateUserInput) -> CreateUserPayload:
    actor = info.context.require_actor()

    async def op() -> UserRow:
        tenant = await ids.load(TenantRow, input.tenant_id, ("input", "tenantId"))
        return await users.create_user(
            actor=actor,
            tenant=tenant,
            email=input.email,
            name=input.name,
            role=input.role or Role.MEMBER,
            status=input.status or UserStatus.ACTIVE,
            increase_capacity=bool(input.increase_capacity),
            accept_terms=bool(input.accept_terms),
        )

    try:
        row, uow = await run_use_case(op)
    except DomainError as exc:
        return CreateUserPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return CreateUserPayload(user=User.from_row(row))


async def update_user(info: strawberry.Info, input: UpdateUserInput) -> UpdateUserPayload:
    actor = info.context.require_actor()

    async def op() -> users.UserChange:
        user = await ids.load(UserRow, input.user_id, ("input", "userId"))
        return await users.update_user(
            actor=actor,
            user=user,
            name=input.name,
            role=input.role,
            status=input.status,
            increase_capacity=bool(input.increase_capacity),
            accept_terms=bool(input.accept_terms),
        )

    try:
        change, uow = await run_use_case(op)
    except DomainError as exc:
        return UpdateUserPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return UpdateUserPayload(user=User.from_row(change.user))


async def delete_user(info: strawberry.Info, input: DeleteUserInput) -> DeleteUserPayload:
    actor = info.context.require_actor()

    async def op() -> tuple[int, list[LicenseRow]]:
        user = await ids.load(UserRow, input.user_id, ("input", "userId"))
        return user.id, await users.delete_user(actor=actor, user=user)

    try:
        (user_id, released), uow = await run_use_case(op)
    except DomainError as exc:
        return DeleteUserPayload(user_errors=user_errors(exc))
    info.context.publish(uow)
    return DeleteUserPayload(
        deleted_user_id=to_global_id("User", user_id),
        released_licenses=[License.from_row(r) for r in released],
    )


async def create_api_token(
    info: strawberry.Info, input: CreateApiTokenInput
) -> CreateApiTokenPayload:
    actor = info.context.require_actor()

    async def op() -> str:
        user = await ids.load(UserRow, input.user_id, ("input", "userId"))
        return await issue_token(actor=actor, user=user, name=input.name or "")

    try:
        token, _ = await run_use_case(op)
    except DomainError as exc:
        return CreateApiTokenPayload(user_errors=user_errors(exc))
    return CreateApiTokenPayload(token=token)
