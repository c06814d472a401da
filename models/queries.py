"""Read-side queries: keyset pages and the filters behind list fields."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.booking import BookingPage
from models.catalog_cache import catalog
from models.enums import LicenseState, ProductKind, UserStatus
from models.events import SeatEvent
from models.seats import License
from models.tenancy import Tenant, User

M = TypeVar("M", bound=Model)


@dataclass
class Page(Generic[M]):
    rows: list[M]
    positions: list[int]
    has_next: bool
    has_previous: bool
    count: Callable[[], Awaitable[int]]


async def keyset_page(
    query: QuerySet[M],
    *,
    first: int,
    after: int | None,
    key: str = "id",
    descending: bool = False,
) -> Page[M]:
    """Rows ordered by ``key`` after position ``after``; one extra row tells has_next."""
    op = "lt" if descending else "gt"
    window = query.filter(**{f"{key}__{op}": after}) if after is not None else query
    rows = await window.order_by(f"-{key}" if descending else key).limit(first + 1)
    has_next = len(rows) > first
    rows = rows[:first]

    async def count() -> int:
        return await query.count()

    return Page(rows, [getattr(r, key) for r in rows], has_next, after is not None, count)


def tenants_query(search: str | None) -> QuerySet[Tenant]:
    query = Tenant.all()
    if search:
        query = query.filter(name__icontains=search.strip())
    return query


def users_query(
    tenant_id: int,
    *,
    only_user_id: int | None = None,
    search: str | None = None,
    statuses: list[UserStatus] | None = None,
) -> QuerySet[User]:
    query = User.filter(tenant_id=tenant_id)
    if only_user_id is not None:
        query = query.filter(id=only_user_id)
    if search:
        text = search.strip()
        query = query.filter(Q(email__icontains=text) | Q(name__icontains=text))
    if statuses:
        query = query.filter(status__in=list(statuses))
    return query


@dataclass
class LicenseCriteria:
    product: str | None = None
    kind: ProductKind | None = None
    state: LicenseState | None = None
    assignee_id: int | None = None
    assignee: str | None = None
    extension: str | None = None
    uuid: str | None = None


async def licenses_query(
    tenant_id: int, criteria: LicenseCriteria, *, visible_to_user_id: int | None = None
) -> QuerySet[License]:
    """The tenant's licences matching every given criterion (an unknown product or a
    malformed UUID matches nothing). ``visible_to_user_id`` limits a member to their
    own licences and the add-ons on them."""
    query = License.filter(tenant_id=tenant_id)
    if visible_to_user_id is not None:
        query = query.filter(
            Q(assignee_id=visible_to_user_id) | Q(base__assignee_id=visible_to_user_id)
        )
    if criteria.product:
        products = {p.code: p.id for p in await catalog.products()}
        query = query.filter(product_id=products.get(criteria.product, -1))
    if criteria.kind is not None:
        ids = [p.id for p in await catalog.products() if p.kind is criteria.kind]
        query = query.filter(product_id__in=ids or [-1])
    if criteria.state is not None:
        query = query.filter(state=criteria.state)
    if criteria.assignee_id is not None:
        query = query.filter(
            Q(assignee_id=criteria.assignee_id) | Q(base__assignee_id=criteria.assignee_id)
        )
    if criteria.assignee:
        text = criteria.assignee.strip()
        query = query.filter(Q(assignee__email__icontains=text) | Q(assignee__name__icontains=text))
    if criteria.extension:
        query = query.filter(extension=criteria.extension.strip())
    if criteria.uuid:
        try:
            query = query.filter(uuid=uuidlib.UUID(criteria.uuid.strip()))
        except ValueError:
            query = query.filter(id=-1)
    return query


def events_query(tenant_id: int, kinds: list[str] | None) -> QuerySet[SeatEvent]:
    query = SeatEvent.filter(tenant_id=tenant_id)
    if kinds:
        query = query.filter(kind__in=kinds)
    return query


def booking_pages_query(
    tenant_id: int,
    *,
    owner_id: int | None = None,
    only_owner_id: int | None = None,
    enabled: bool | None = None,
) -> QuerySet[BookingPage]:
    query = BookingPage.filter(tenant_id=tenant_id)
    if owner_id is not None:
        query = query.filter(owner_id=owner_id)
    if only_owner_id is not None:
        query = query.filter(owner_id=only_owner_id)
    if enabled is not None:
        query = query.filter(enabled=enabled)
    return query
