"""Assembles the Strawberry schema from the root types and the schema extensions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from schema.billing import PlanSubscription, ProvisionRequest
from schema.mutation import Mutation
from schema.notices import Delivery, DeliveryChannel, Notification
from schema.query import Query
from schema.subscription import Subscription
from schema.types import BookingPage, License, SeatEvent, SeatPool, Tenant, User

CACHE_SIZE = 512


def build_schema(
    *,
    max_depth: int = 12,
    max_aliases: int = 30,
    max_tokens: int = 5000,
    introspection: bool = True,
    extra_extensions: Sequence[type[SchemaExtension]] = (),
) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        *extra_extensions,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            Tenant,
            User,
            SeatPool,
            License,
            SeatEvent,
            BookingPage,
            Notification,
            DeliveryChannel,
            Delivery,
            PlanSubscription,
            ProvisionRequest,
        ],
        extensions=extensions,
    )
