"""GraphQL object types, each built from one model row (kept in a Private field).

Leaf fields are plain attributes set in ``from_row``; relations go through the
request's DataLoaders (``info.context.loaders``) so that lists never cost a query per
row. These modules import no resolver.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import strawberry
from graphql import GraphQLError
from strawberry.dataloader import DataLoader

from models import booking, notices, seats, tenancy
from models import events as event_models
from models.access import check_access
from models.catalog_cache import catalog
from models.enums import (
    BookingPageDisabledReason,
    ChangeSource,
    DeliveryStatus,
    LicenseState,
    Role,
    SeatEventKind,
    TenantStatus,
    UserStatus,
)
from models.errors import DomainError
from models.queries import (
    LicenseCriteria,
    booking_pages_query,
    events_query,
    keyset_page,
    licenses_query,
    users_query,
)
from schema import enums as _enums  # noqa: F401  (registers the GraphQL enums)
from schema.common import Access, Product
from schema.inputs import LicenseFilter
from schema.relay import Connection, Node, decode_cursor, from_global_id, from_page, to_global_id

if TYPE_CHECKING:
    from schema.billing import InvoicePreview, PlanSubscription
    from schema.notices import Delivery, DeliveryChannel, Notification

DEFAULT_PAGE = 20
MAX_PAGE = 100


def page_args(first: int | None, after: str | None) -> tuple[int, int | None]:
    """Validate Relay paging arguments: `first` defaults to 20 and is capped at 100."""
    if first is None:
        first = DEFAULT_PAGE
    if first < 0:
        raise GraphQLError("`first` must not be negative.", extensions={"code": "INVALID_INPUT"})
    position = None
    if after is not None:
        position = decode_cursor(after)
        if position is None:
            raise GraphQLError(
                "`after` is not a valid cursor.", extensions={"code": "INVALID_INPUT"}
            )
    return min(first, MAX_PAGE), position


async def _access(info: strawberry.Info, user: tenancy.User | None, product: str) -> Access:
    tenant = await info.context.loaders.tenant.load(user.tenant_id) if user else None
    try:
        decision = await check_access(user=user, tenant=tenant, product_code=product)
    except DomainError as exc:  # NotFound for an unknown product
        raise GraphQLError(exc.message, extensions={"code": exc.code.value}) from None
    return Access.from_decision(decision)


@strawberry.type
class Tenant(Node):
    row: strawberry.Private[tenancy.Tenant]
    name: str
    status: TenantStatus

    @classmethod
    def from_row(cls, row: tenancy.Tenant) -> Tenant:
        return cls(row=row, id=to_global_id("Tenant", row.id), name=row.name, status=row.status)

    @strawberry.field
    async def seat_pools(self, info: strawberry.Info) -> list[SeatPool]:
        rows = await info.context.loaders.pools_by_tenant.load(self.row.id)
        return [SeatPool.from_row(r) for r in rows]

    @strawberry.field
    async def seat_pool(self, info: strawberry.Info, product: str) -> SeatPool | None:
        rows = await info.context.loaders.pools_by_tenant.load(self.row.id)
        for row in rows:
            p = await info.context.loaders.product(row.product_id)
            if p.code == product:
                return SeatPool.from_row(row)
        return None

    @strawberry.field
    async def users(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        status: list[UserStatus] | None = None,
    ) -> Connection[User]:
        size, position = page_args(first, after)
        actor = info.context.require_actor()
        only = None if actor.can_manage_tenant(self.row.id) else actor.user_id
        page = await keyset_page(
            users_query(self.row.id, only_user_id=only, search=search, statuses=status),
            first=size,
            after=position,
        )
        return from_page(page, User.from_row)

    @strawberry.field
    async def user(self, info: strawberry.Info, email: str) -> User | None:
        actor = info.context.require_actor()
        row = await tenancy.User.get_or_none(tenant_id=self.row.id, email=email.strip().lower())
        if row is None or not actor.can_see_user(row):
            return None
        return User.from_row(row)

    @strawberry.field
    async def licenses(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        filter: LicenseFilter | None = None,
    ) -> Connection[License]:
        size, position = page_args(first, after)
        actor = info.context.require_actor()
        visible_to = None if actor.can_manage_tenant(self.row.id) else actor.user_id
        criteria = LicenseCriteria()
        if filter is not None:
            assignee_id = None
            if filter.assignee_id is not None:
                decoded = from_global_id(filter.assignee_id)
                assignee_id = decoded[1] if decoded and decoded[0] == "User" else -1
            criteria = LicenseCriteria(
                product=filter.product,
                kind=filter.kind,
                state=filter.state,
                assignee_id=assignee_id,
                assignee=filter.assignee,
                extension=filter.extension,
                uuid=filter.uuid,
            )
        query = await licenses_query(self.row.id, criteria, visible_to_user_id=visible_to)
        page = await keyset_page(query, first=size, after=position)
        await prefetch_licence_relations(info, page.rows)
        return from_page(page, License.from_row)

    @strawberry.field
    async def license(self, info: strawberry.Info, uuid: str) -> License | None:
        actor = info.context.require_actor()
        visible_to = None if actor.can_manage_tenant(self.row.id) else actor.user_id
        query = await licenses_query(
            self.row.id, LicenseCriteria(uuid=uuid), visible_to_user_id=visible_to
        )
        row = await query.first()
        return License.from_row(row) if row else None

    @strawberry.field
    async def booking_pages(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        owner_id: strawberry.ID | None = None,
        enabled: bool | None = None,
    ) -> Connection[BookingPage]:
        size, position = page_args(first, after)
        actor = info.context.require_actor()
        owner = None
        if owner_id is not None:
            decoded = from_global_id(owner_id)
            owner = decoded[1] if decoded and decoded[0] == "User" else -1
        only = None if actor.can_manage_tenant(self.row.id) else actor.user_id
        page = await keyset_page(
            booking_pages_query(self.row.id, owner_id=owner, only_owner_id=only, enabled=enabled),
            first=size,
            after=position,
        )
        return from_page(page, BookingPage.from_row)

    @strawberry.field
    async def subscriptions(
        self, info: strawberry.Info
    ) -> list[Annotated[PlanSubscription, strawberry.lazy("schema.billing")]]:
        from models.billing import PlanSubscription as Row
        from schema.billing import PlanSubscription

        self._require_admin(info, "subscriptions")
        rows = await Row.filter(tenant_id=self.row.id).order_by("id")
        return [PlanSubscription.from_row(r) for r in rows]

    @strawberry.field
    async def next_invoice(
        self, info: strawberry.Info
    ) -> Annotated[InvoicePreview, strawberry.lazy("schema.billing")]:
        from models.billing import invoice_preview
        from schema.billing import InvoicePreview

        self._require_admin(info, "invoice")
        return InvoicePreview.from_invoice(await invoice_preview(self.row.id))

    @strawberry.field
    async def notifications(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool | None = None,
    ) -> Connection[Annotated[Notification, strawberry.lazy("schema.notices")]]:
        from schema.notices import Notification

        size, position = page_args(first, after)
        self._require_admin(info, "notices")
        query = notices.Notification.filter(tenant_id=self.row.id)
        if unread_only:
            query = query.filter(read_at__isnull=True)
        page = await keyset_page(query, first=size, after=position)
        return from_page(page, Notification.from_row)

    @strawberry.field
    async def delivery_channels(
        self, info: strawberry.Info
    ) -> list[Annotated[DeliveryChannel, strawberry.lazy("schema.notices")]]:
        from schema.notices import DeliveryChannel

        self._require_admin(info, "delivery channels")
        rows = await notices.DeliveryChannel.filter(tenant_id=self.row.id).order_by("id")
        return [DeliveryChannel.from_row(r) for r in rows]

    @strawberry.field
    async def deliveries(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        status: DeliveryStatus | None = None,
    ) -> Connection[Annotated[Delivery, strawberry.lazy("schema.notices")]]:
        from schema.notices import Delivery

        size, position = page_args(first, after)
        self._require_admin(info, "deliveries")
        query = notices.Delivery.filter(tenant_id=self.row.id)
        if status is not None:
            query = query.filter(status=status)
        page = await keyset_page(query, first=size, after=position, descending=True)
        return from_page(page, Delivery.from_row)

    def _require_admin(self, info: strawberry.Info, what: str) -> None:
        if not info.context.require_actor().can_manage_tenant(self.row.id):
            raise GraphQLError(
                f"Only administrators see the tenant's {what}.", extensions={"code": "FORBIDDEN"}
            )

    @strawberry.field
    async def events(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[SeatEventKind] | None = None,
    ) -> Connection[SeatEvent]:
        size, position = page_args(first, after)
        self._require_admin(info, "event log")
        page = await keyset_page(
            events_query(self.row.id, [k.value for k in kinds] if kinds else None),
            first=size,
            after=position,
            key="sequence",
        )
        return from_page(page, SeatEvent.from_row)


@strawberry.type
class User(Node):
    row: strawberry.Private[tenancy.User]
    email: str
    name: str
    role: Role
    status: UserStatus
    can_log_in: bool

    @classmethod
    def from_row(cls, row: tenancy.User) -> User:
        return cls(
            row=row,
            id=to_global_id("User", row.id),
            email=row.email,
            name=row.name,
            role=row.role,
            status=row.status,
            can_log_in=row.can_log_in,
        )

    @strawberry.field
    async def licenses(self, info: strawberry.Info) -> list[License]:
        rows = await info.context.loaders.licenses_by_assignee.load(self.row.id)
        return [License.from_row(r) for r in rows]

    @strawberry.field
    async def booking_pages(self, info: strawberry.Info) -> list[BookingPage]:
        rows = await info.context.loaders.pages_by_owner.load(self.row.id)
        return [BookingPage.from_row(r) for r in rows]

    @strawberry.field
    async def access(self, info: strawberry.Info, product: str) -> Access:
        return await _access(info, self.row, product)


@strawberry.type
class Viewer:
    is_operator: bool
    user: User | None
    tenant: Tenant | None
    actor_user: strawberry.Private[tenancy.User | None]

    @strawberry.field
    async def access(self, info: strawberry.Info, product: str) -> Access:
        return await _access(info, self.actor_user, product)


async def _product(info: strawberry.Info, product_id: int) -> Product:
    return Product.from_row(await info.context.loaders.product(product_id))


@strawberry.type
class SeatPool(Node):
    row: strawberry.Private[seats.SeatPool]
    capacity: int | None = strawberry.field(description="Purchased seats; null means unlimited.")
    assigned: int
    available: int | None = strawberry.field(
        description="Seats free to assign; null means unlimited; 0 while over-allocated."
    )
    over_allocated: int

    @classmethod
    def from_row(cls, row: seats.SeatPool) -> SeatPool:
        return cls(
            row=row,
            id=to_global_id("SeatPool", row.id),
            capacity=row.capacity,
            assigned=row.assigned,
            available=row.available,
            over_allocated=row.over_allocated,
        )

    @strawberry.field
    def product(self, info: strawberry.Info) -> Product:
        # Sync from the per-process catalog cache (an async leaf costs a coroutine and a
        # gather per pool); on a miss (a product created by another process) the
        # coroutine is returned and graphql-core awaits it.
        cached = catalog.cached_product(self.row.product_id)
        if cached is not None:
            return Product.from_row(cached)
        return _product(info, self.row.product_id)  # type: ignore[return-value]


@strawberry.type
class License(Node):
    row: strawberry.Private[seats.License]
    uuid: str
    state: LicenseState
    assigned_at: datetime | None
    expires_at: datetime | None
    extension: str | None
    number: str | None

    @classmethod
    def from_row(cls, row: seats.License) -> License:
        return cls(
            row=row,
            id=to_global_id("License", row.id),
            uuid=str(row.uuid),
            state=row.state,
            assigned_at=row.assigned_at,
            expires_at=row.expires_at,
            extension=row.extension,
            number=row.number,
        )

    @strawberry.field
    def product(self, info: strawberry.Info) -> Product:
        # Sync from the per-process catalog cache (an async leaf costs a coroutine and a
        # gather per pool); on a miss (a product created by another process) the
        # coroutine is returned and graphql-core awaits it.
        cached = catalog.cached_product(self.row.product_id)
        if cached is not None:
            return Product.from_row(cached)
        return _product(info, self.row.product_id)  # type: ignore[return-value]

    # assignee and addons answer synchronously when the list resolver prefetched them
    # (``prefetch_licence_relations``); otherwise they return a coroutine that
    # graphql-core awaits, batched by the DataLoader as before.
    @strawberry.field
    def assignee(self, info: strawberry.Info) -> User | None:
        if self.row.assignee_id is None:
            return None
        row = loaded(info.context.loaders.user, self.row.assignee_id)
        if row is MISSING:
            return _user(info, self.row.assignee_id)  # type: ignore[return-value]
        return User.from_row(row) if row else None

    @strawberry.field
    def addons(self, info: strawberry.Info) -> list[License]:
        rows = loaded(info.context.loaders.addons_by_base, self.row.id)
        if rows is MISSING:
            return self._addons(info)  # type: ignore[return-value]
        return [License.from_row(r) for r in rows]

    async def _addons(self, info: strawberry.Info) -> list[License]:
        rows = await info.context.loaders.addons_by_base.load(self.row.id)
        return [License.from_row(r) for r in rows]

    @strawberry.field
    async def base(self, info: strawberry.Info) -> License | None:
        if self.row.base_id is None:
            return None
        row = await info.context.loaders.license.load(self.row.base_id)
        return License.from_row(row) if row else None


@strawberry.type
class BookingPage(Node):
    row: strawberry.Private[booking.BookingPage]
    title: str
    slug: str
    enabled: bool
    disabled_reason: BookingPageDisabledReason | None

    @classmethod
    def from_row(cls, row: booking.BookingPage) -> BookingPage:
        return cls(
            row=row,
            id=to_global_id("BookingPage", row.id),
            title=row.title,
            slug=row.slug,
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
        )

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> User:
        row = await info.context.loaders.user.load(self.row.owner_id)
        assert row is not None  # owners are never deleted while they own pages
        return User.from_row(row)


@strawberry.type(description="Seat numbers as they were right after the event.")
class SeatPoolSnapshot:
    product: str
    capacity: int | None
    assigned: int
    available: int | None


@strawberry.type
class SeatEvent(Node):
    row: strawberry.Private[event_models.SeatEvent]
    cursor: str
    sequence: int
    kind: SeatEventKind
    occurred_at: datetime
    source: ChangeSource
    product: str | None
    delta: int | None
    pool: SeatPoolSnapshot | None
    message: str

    @classmethod
    def from_row(cls, row: event_models.SeatEvent) -> SeatEvent:
        from schema.relay import encode_cursor

        snap: dict[str, Any] | None = row.pool
        return cls(
            row=row,
            id=to_global_id("SeatEvent", row.id),
            cursor=encode_cursor(row.sequence),
            sequence=row.sequence,
            kind=row.kind,
            occurred_at=row.occurred_at,
            source=row.source,
            product=row.product,
            delta=row.delta,
            pool=SeatPoolSnapshot(**snap) if snap else None,
            message=row.message,
        )

    @strawberry.field
    async def actor(self, info: strawberry.Info) -> User | None:
        return await _user(info, self.row.actor_id)

    @strawberry.field
    async def user(self, info: strawberry.Info) -> User | None:
        return await _user(info, self.row.user_id)

    @strawberry.field
    async def license(self, info: strawberry.Info) -> License | None:
        if self.row.license_id is None:
            return None
        row = await info.context.loaders.license.load(self.row.license_id)
        return License.from_row(row) if row else None

    @strawberry.field
    async def booking_pages(self, info: strawberry.Info) -> list[BookingPage]:
        rows = await info.context.loaders.booking_page.load_many(self.row.booking_page_ids)
        return [BookingPage.from_row(r) for r in rows if r is not None]


MISSING: Any = object()
K = TypeVar("K")
T = TypeVar("T")


def loaded(loader: DataLoader[K, T], key: K) -> T:
    """The value ``loader`` already holds for ``key``, else ``MISSING``.

    Lets a resolver answer synchronously when a list resolver prefetched its page's
    relations (an async resolver costs a coroutine and a task per row)."""
    if not loader.cache:
        return cast("T", MISSING)
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return cast("T", MISSING)
    return future.result()


def _selected_node_fields(info: strawberry.Info) -> set[str]:
    """Names of the fields selected on a connection's nodes (``nodes`` or ``edges.node``)."""
    names: set[str] = set()
    for field in info.selected_fields:
        for part in field.selections:
            if not hasattr(part, "selections"):
                continue
            if getattr(part, "name", None) == "nodes":
                names.update(getattr(f, "name", "") for f in part.selections)
            elif getattr(part, "name", None) == "edges":
                for edge_part in part.selections:
                    if getattr(edge_part, "name", None) == "node":
                        names.update(getattr(f, "name", "") for f in edge_part.selections)
    return names


async def prefetch_licence_relations(info: strawberry.Info, rows: list[seats.License]) -> None:
    """Load a page's assignees and add-ons in one query each, before its nodes resolve."""
    wanted = _selected_node_fields(info) if rows else set()
    loaders = info.context.loaders
    jobs = []
    if "assignee" in wanted and loaders.user.cache:
        ids = sorted({r.assignee_id for r in rows if r.assignee_id is not None})
        if ids:
            jobs.append(loaders.user.load_many(ids))
    if "addons" in wanted and loaders.addons_by_base.cache:
        jobs.append(loaders.addons_by_base.load_many([r.id for r in rows]))
    if jobs:
        await asyncio.gather(*jobs)


async def _user(info: strawberry.Info, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    row = await info.context.loaders.user.load(user_id)
    return User.from_row(row) if row else None


__all__ = [
    "BookingPage",
    "License",
    "SeatEvent",
    "SeatPool",
    "SeatPoolSnapshot",
    "Tenant",
    "User",
    "Viewer",
    "page_args",
]
