"""The database's invariants, checked from the outside (`seatgraph check`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from models.booking import SCHEDULING_PRODUCT, BookingPage
from models.catalog_cache import catalog
from models.enums import DeliveryStatus, LicenseState, ProductKind, SeatEventKind
from models.events import SeatEvent
from models.notices import Delivery
from models.seats import License, SeatPool
from models.tenancy import Tenant


async def violations() -> list[str]:
    """Every broken invariant, one line each; empty when the database is consistent."""
    found: list[str] = []
    products = {p.id: p for p in await catalog.products()}

    pool_ids: list[Any] = await License.filter(state=LicenseState.ASSIGNED).values_list(
        "pool_id", flat=True
    )
    assigned: Counter[int] = Counter(int(i) for i in pool_ids)
    over_flagged = {
        (tenant_id, product)
        for tenant_id, product in await SeatEvent.filter(
            kind=SeatEventKind.POOL_OVER_ALLOCATED
        ).values_list("tenant_id", "product")
    }
    for pool in await SeatPool.all():
        code = products[pool.product_id].code
        where = f"tenant {pool.tenant_id} pool {code}"
        if pool.assigned != assigned.get(pool.id, 0):
            found.append(
                f"{where}: assigned counter {pool.assigned} but "
                f"{assigned.get(pool.id, 0)} assigned licences"
            )
        if pool.assigned < 0 or (pool.capacity is not None and pool.capacity < 0):
            found.append(f"{where}: negative counts ({pool.capacity}, {pool.assigned})")
        if pool.over_allocated and (pool.tenant_id, code) not in over_flagged:
            found.append(
                f"{where}: {pool.assigned} assigned over capacity {pool.capacity} "
                "without a POOL_OVER_ALLOCATED event"
            )

    for lic in await License.all().only(
        "id", "uuid", "state", "assignee_id", "base_id", "product_id"
    ):
        kind = products[lic.product_id].kind
        where = f"licence {lic.uuid}"
        if (
            lic.state is LicenseState.ASSIGNED
            and kind is ProductKind.BASE
            and lic.assignee_id is None
        ):
            found.append(f"{where}: ASSIGNED without an assignee")
        if lic.state is not LicenseState.ASSIGNED and lic.assignee_id is not None:
            found.append(f"{where}: {lic.state.value} but has an assignee")
        if kind is ProductKind.ADDON and lic.state is LicenseState.ASSIGNED and lic.base_id is None:
            found.append(f"{where}: an assigned add-on on no base licence")
        if kind is ProductKind.BASE and lic.base_id is not None:
            found.append(f"{where}: a base licence attached to another licence")

    scheduling = await catalog.product(SCHEDULING_PRODUCT)
    licensed: set[Any] = set(
        await License.filter(product_id=scheduling.id, state=LicenseState.ASSIGNED).values_list(
            "assignee_id", flat=True
        )
    )
    for page in await BookingPage.filter(enabled=True):
        if page.owner_id not in licensed:
            found.append(
                f"booking page {page.id} ({page.slug}): enabled, owner {page.owner_id} unlicensed"
            )

    for tenant in await Tenant.all().only("id", "event_seq"):
        sequences: list[Any] = sorted(
            await SeatEvent.filter(tenant_id=tenant.id).values_list("sequence", flat=True)
        )
        if sequences != list(range(1, len(sequences) + 1)) or len(sequences) != tenant.event_seq:
            found.append(
                f"tenant {tenant.id}: event sequence not gap-free "
                f"({len(sequences)} events, tenant counter {tenant.event_seq})"
            )

    for d in await Delivery.all():
        where = f"delivery {d.id}"
        if d.status is DeliveryStatus.DELIVERED and d.delivered_at is None:
            found.append(f"{where}: DELIVERED without delivered_at")
        if d.status is DeliveryStatus.SENDING and d.claimed_until is None:
            found.append(f"{where}: SENDING without a claim")
        if d.status is DeliveryStatus.PENDING and d.next_attempt_at is None:
            found.append(f"{where}: PENDING without a next attempt time")
    return found
