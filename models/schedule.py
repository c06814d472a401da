"""Scheduled work: seasonal assignments that end. Run by every server process."""

from __future__ import annotations

from datetime import datetime

from tortoise.timezone import now

from models.enums import ChangeSource, LicenseState
from models.errors import NotAssigned
from models.events import run_use_case
from models.licensing import ReleaseResult, release_license
from models.seats import License
from models.tenancy import User


async def release_expired(at: datetime | None = None, *, batch: int = 500) -> set[int]:
    """Release every assigned licence whose seasonal assignment has ended (source
    SCHEDULE), each in its own transaction, until none is due. The guarded update in
    ``release_license`` claims each one: with several processes, each runs once.
    Returns the tenants that got new events."""
    moment = at or now()
    tenants: set[int] = set()
    while True:
        expired = (
            # Due order, on the partial index license_due (migration 0002): ordering by
            # id instead lets SQLite's planner prefer scanning every licence.
            await License.filter(
                state=LicenseState.ASSIGNED, expires_at__not_isnull=True, expires_at__lte=moment
            )
            .order_by("expires_at", "id")
            .limit(batch)
        )
        for lic in expired:
            tenants |= await _release_expired_one(lic.id, moment)
        if len(expired) < batch:
            return tenants


async def _release_expired_one(license_id: int, moment: datetime) -> set[int]:
    async def op() -> ReleaseResult | None:
        fresh = await License.get_or_none(id=license_id)
        if (
            fresh is None
            or fresh.state is not LicenseState.ASSIGNED
            or fresh.assignee_id is None
            or fresh.expires_at is None
            or fresh.expires_at > moment
        ):
            return None
        user = await User.get(id=fresh.assignee_id)
        return await release_license(
            license=fresh, user=user, actor=None, source=ChangeSource.SCHEDULE
        )

    try:
        _, uow = await run_use_case(op)
    except NotAssigned:
        return set()  # released meanwhile, by another process
    return uow.tenant_ids
