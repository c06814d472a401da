"""The root Query type."""

from __future__ import annotations

import strawberry

from resolvers import billing
from resolvers import query as r
from schema.billing import ProvisionRequest
from schema.common import Plan, Product
from schema.relay import Connection, Node
from schema.types import Tenant, Viewer


@strawberry.type
class Query:
    node: Node | None = strawberry.field(resolver=r.node)
    nodes: list[Node | None] = strawberry.field(resolver=r.nodes)
    viewer: Viewer = strawberry.field(resolver=r.viewer)
    tenant: Tenant | None = strawberry.field(
        resolver=r.tenant, description="Null when it does not exist or the caller may not see it."
    )
    tenants: Connection[Tenant] = strawberry.field(
        resolver=r.tenants, description="Operators only."
    )
    products: list[Product] = strawberry.field(resolver=r.products)
    plans: list[Plan] = strawberry.field(resolver=r.plans)
    provision_requests: Connection[ProvisionRequest] = strawberry.field(
        resolver=billing.provision_requests,
        description="Operators only: marketplace provisioning requests and their outcomes.",
    )
