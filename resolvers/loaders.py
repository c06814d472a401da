"""Per-request DataLoaders: every relation a list can reach is loaded in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.booking import BookingPage
from models.catalog import Product
from models.catalog_cache import catalog
from models.enums import LicenseState
from models.events import SeatEvent
from models.notices import DeliveryChannel
from models.seats import License, SeatPool
from models.tenancy import Tenant, User


async def _users(ids: Sequence[int]) -> list[User | None]:
    rows = {u.id: u for u in await User.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _tenants(ids: Sequence[int]) -> list[Tenant | None]:
    rows = {t.id: t for t in await Tenant.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _licenses(ids: Sequence[int]) -> list[License | None]:
    rows = {r.id: r for r in await License.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _licenses_by_assignee(ids: Sequence[int]) -> list[list[License]]:
    grouped: dict[int, list[License]] = defaultdict(list)
    for row in await License.filter(
        assignee_id__in=list(ids), state=LicenseState.ASSIGNED
    ).order_by("id"):
        assert row.assignee_id is not None
        grouped[row.assignee_id].append(row)
    return [grouped[i] for i in ids]


async def _addons_by_base(ids: Sequence[int]) -> list[list[License]]:
    grouped: dict[int, list[License]] = defaultdict(list)
    for row in (
        await License.filter(base_id__in=list(ids))
        .exclude(state=LicenseState.TERMINATED)
        .order_by("id")
    ):
        assert row.base_id is not None
        grouped[row.base_id].append(row)
    return [grouped[i] for i in ids]


async def _booking_pages(ids: Sequence[int]) -> list[BookingPage | None]:
    rows = {r.id: r for r in await BookingPage.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _pages_by_owner(ids: Sequence[int]) -> list[list[BookingPage]]:
    grouped: dict[int, list[BookingPage]] = defaultdict(list)
    for row in await BookingPage.filter(owner_id__in=list(ids)).order_by("id"):
        grouped[row.owner_id].append(row)
    return [grouped[i] for i in ids]


async def _events(ids: Sequence[int]) -> list[SeatEvent | None]:
    rows = {r.id: r for r in await SeatEvent.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _channels(ids: Sequence[int]) -> list[DeliveryChannel | None]:
    rows = {r.id: r for r in await DeliveryChannel.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _pools_by_tenant(ids: Sequence[int]) -> list[list[SeatPool]]:
    grouped: dict[int, list[SeatPool]] = defaultdict(list)
    for row in await SeatPool.filter(tenant_id__in=list(ids)).order_by("id"):
        grouped[row.tenant_id].append(row)
    return [grouped[i] for i in ids]


class Loaders:
    """Created per HTTP request; per WebSocket operation with caching off, so that a
    long-lived subscription never serves stale rows."""

    def __init__(self, *, cache: bool = True) -> None:
        self.user: DataLoader[int, User | None] = DataLoader(_users, cache=cache)
        self.tenant: DataLoader[int, Tenant | None] = DataLoader(_tenants, cache=cache)
        self.license: DataLoader[int, License | None] = DataLoader(_licenses, cache=cache)
        self.licenses_by_assignee: DataLoader[int, list[License]] = DataLoader(
            _licenses_by_assignee, cache=cache
        )
        self.addons_by_base: DataLoader[int, list[License]] = DataLoader(
            _addons_by_base, cache=cache
        )
        self.pools_by_tenant: DataLoader[int, list[SeatPool]] = DataLoader(
            _pools_by_tenant, cache=cache
        )
        self.booking_page: DataLoader[int, BookingPage | None] = DataLoader(
            _booking_pages, cache=cache
        )
        self.pages_by_owner: DataLoader[int, list[BookingPage]] = DataLoader(
            _pages_by_owner, cache=cache
        )
        self.event: DataLoader[int, SeatEvent | None] = DataLoader(_events, cache=cache)
        self.channel: DataLoader[int, DeliveryChannel | None] = DataLoader(_channels, cache=cache)

    @staticmethod
    async def product(product_id: int) -> Product:
        """Products come from the per-process catalog cache: no query at all."""
        cached = catalog.cached_product(product_id)
        return cached if cached is not None else await catalog.product_by_id(product_id)
