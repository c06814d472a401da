"""Assembles the Strawberry schema from the root types and the schema extensions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from schema.billing import PlanSubscription, ProvisionRequest
from schema.fanout import SharedEventExecutor
from schema.mutation import Mutation
from schema.notices import Delivery, DeliveryChannel, Notification
from schema.prepared import DocumentCache, PreparedDocuments
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
    documents = DocumentCache(
        max_depth=max_depth,
        max_aliases=max_aliases,
        max_tokens=max_tokens,
        extra_rules=() if introspection else (NoSchemaIntrospectionCustomRule,),
        maxsize=CACHE_SIZE,
    )
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: PreparedDocuments(documents),
        *extra_extensions,
    ]
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
        execution_context_class=SharedEventExecutor,
    )
