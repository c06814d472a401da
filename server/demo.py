"""Demo data: one MSP tenant exercising every seat situation, built through the rules."""

from __future__ import annotations

from dataclasses import dataclass

from models.auth import OPERATOR, hash_token, new_token
from models.capacity import adjust_seat_capacity
from models.enums import LicenseState, Role, UserStatus
from models.events import run_use_case
from models.licensing import assign_license
from models.seats import License
from models.tenancy import ApiToken, Tenant, User
from models.users import create_tenant, create_user

DEMO_TENANT = "Demo MSP"
ADMIN_EMAIL = "admin@demo-msp.example"
MEMBER_EMAIL = "member@demo-msp.example"

# (status, how many) for the 98 users besides the administrator and the member
_STATUS_MIX = [
    (UserStatus.ACTIVE, 86),
    (UserStatus.LOCKED, 4),
    (UserStatus.INACTIVE, 4),
    (UserStatus.ROOM, 1),
    (UserStatus.RESOURCE, 1),
    (UserStatus.ASSET, 1),
    (UserStatus.QUEUE, 1),
]
_FIRST = ["Alex", "Sam", "Jo", "Kim", "Lee", "Max", "Ria", "Tom", "Ana", "Eve"]
_LAST = ["Adams", "Brown", "Clark", "Diaz", "Evans", "Fox", "Gray", "Hill", "Ito", "Jones"]


@dataclass
class DemoResult:
    tenant: Tenant
    created: bool
    admin_token: str
    member_token: str


async def _build() -> Tenant:
    tenant = await create_tenant(actor=OPERATOR, name=DEMO_TENANT)
    admin = await create_user(
        actor=OPERATOR,
        tenant=tenant,
        email=ADMIN_EMAIL,
        name="Dana Admin",
        role=Role.ADMINISTRATOR,
    )
    member = await create_user(actor=OPERATOR, tenant=tenant, email=MEMBER_EMAIL, name="Mo Member")
    users = [admin, member]
    n = 0
    for status, count in _STATUS_MIX:
        for _ in range(count):
            first, last = _FIRST[n % 10], _LAST[n // 10 % 10]
            users.append(
                await create_user(
                    actor=OPERATOR,
                    tenant=tenant,
                    email=f"{first}.{last}{n}@demo-msp.example".lower(),
                    name=f"{first} {last}",
                    status=status,
                )
            )
            n += 1
    licensable = [u for u in users if u.status.licensable]

    async def seats(product: str, capacity: int | None) -> None:
        await adjust_seat_capacity(
            actor=OPERATOR,
            tenant=tenant,
            product_code=product,
            capacity=capacity,
            unlimited=capacity is None,
        )

    async def assign(product: str, holders: list[User]) -> None:
        for user in holders:
            await assign_license(actor=OPERATOR, user=user, product_code=product)

    await seats("nextticket", None)  # unlimited, ~90 assigned
    await assign("nextticket", licensable[:90])
    await seats("bi_psa", 25)
    await assign("bi_psa", licensable[:20])
    await seats("bi_rmm", 10)  # a full pool
    await assign("bi_rmm", licensable[:10])
    await seats("scheduled_meeting", 15)
    await assign("scheduled_meeting", [admin, member, *licensable[2:10]])
    await seats("live_engagement", 10)  # over-allocated after the decrease below
    await assign("live_engagement", licensable[:10])
    await seats("live_engagement", 8)
    await seats("phone_system", 20)
    await assign("phone_system", licensable[:12])
    phones = await License.filter(
        tenant_id=tenant.id, product__code="phone_system", state=LicenseState.ASSIGNED
    ).order_by("id")
    for i, lic in enumerate(phones):
        await License.filter(id=lic.id).update(extension=str(101 + i), number=f"656789123{i:02d}")
    return tenant


async def _fresh_token(tenant: Tenant, email: str) -> str:
    user = await User.get(tenant_id=tenant.id, email=email)
    await ApiToken.filter(user_id=user.id, name="demo").delete()
    token = new_token()
    await ApiToken.create(user_id=user.id, token_hash=hash_token(token), name="demo")
    return token


async def load_demo() -> DemoResult:
    """Create the demo tenant once; every call issues fresh demo tokens."""
    existing = await Tenant.filter(name=DEMO_TENANT).order_by("id").first()
    created = existing is None
    tenant = existing if existing is not None else (await run_use_case(_build))[0]
    admin_token = await _fresh_token(tenant, ADMIN_EMAIL)
    member_token = await _fresh_token(tenant, MEMBER_EMAIL)
    return DemoResult(tenant, created, admin_token, member_token)
