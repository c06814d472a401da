from __future__ import annotations

from tests.support import TenantFixture


def test_admin_assigns_a_licence_and_sees_the_pool(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 2)
    payload = tenant.assign(tenant.member_id, "bi_psa")
    assert payload["userErrors"] == []
    assert payload["seatPool"] == {"capacity": 2, "assigned": 1, "available": 1}
    assert tenant.pool("bi_psa") == {
        "capacity": 2,
        "assigned": 1,
        "available": 1,
        "overAllocated": 0,
    }
