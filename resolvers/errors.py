"""Mapping domain errors to userErrors and top-level GraphQL errors."""

from __future__ import annotations

from graphql import GraphQLError

from models.errors import DomainError
from schema.common import UserError


def user_errors(exc: DomainError) -> list[UserError]:
    return [
        UserError(field=list(exc.field) if exc.field else None, message=exc.message, code=exc.code)
    ]


def top_level(exc: DomainError) -> GraphQLError:
    return GraphQLError(exc.message, extensions={"code": exc.code.value})
