"""Seat limits hold under concurrent requests (guarded updates, unique constraints)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support import TenantFixture

ASSIGN = (
    "mutation($input: AssignLicenseInput!) { assignLicense(input: $input) "
    "{ license { id } userErrors { code } } }"
)


async def _fire(url: str, token: str, inputs: list[dict[str, Any]]) -> list[list[str]]:
    limits = httpx.Limits(max_connections=len(inputs))
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def one(input: dict[str, Any]) -> list[str]:
            response = await client.post(
                url,
                json={"query": ASSIGN, "variables": {"input": input}},
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()
            assert "errors" not in body, body
            return [e["code"] for e in body["data"]["assignLicense"]["userErrors"]]

        return await asyncio.gather(*(one(i) for i in inputs))


def test_fifty_concurrent_assigns_against_ten_seats(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 10)
    users = [tenant.add_user(f"c{i}@acme.example") for i in range(50)]
    token = tenant.admin.token
    assert token is not None

    results = asyncio.run(
        _fire(tenant.server.url, token, [{"userId": u, "product": "bi_psa"} for u in users])
    )

    assert sum(1 for r in results if r == []) == 10
    assert sum(1 for r in results if r == ["SEAT_LIMIT_REACHED"]) == 40
    assert tenant.pool("bi_psa") == {
        "capacity": 10,
        "assigned": 10,
        "available": 0,
        "overAllocated": 0,
    }
    data = tenant.admin.query(
        'query($t: ID!) { tenant(id: $t) { licenses(filter: {product: "bi_psa", state: ASSIGNED}) '
        "{ totalCount } } }",
        {"t": tenant.id},
    )
    assert data["tenant"]["licenses"]["totalCount"] == 10
    sequences = [e["sequence"] for e in tenant.events()]
    assert sequences == list(range(1, len(sequences) + 1))


def test_twenty_concurrent_assigns_of_one_licence(tenant: TenantFixture) -> None:
    tenant.set_capacity("phone_system", 20)
    users = [tenant.add_user(f"p{i}@acme.example") for i in range(20)]
    licence = tenant.admin.query(
        'query($t: ID!) { tenant(id: $t) { licenses(first: 1, filter: {product: "phone_system"}) '
        "{ nodes { id } } } }",
        {"t": tenant.id},
    )["tenant"]["licenses"]["nodes"][0]["id"]
    token = tenant.admin.token
    assert token is not None

    results = asyncio.run(
        _fire(tenant.server.url, token, [{"userId": u, "licenseId": licence} for u in users])
    )

    assert sum(1 for r in results if r == []) == 1
    assert sum(1 for r in results if r == ["LICENSE_IN_USE"]) == 19
    assert tenant.pool("phone_system")["assigned"] == 1  # type: ignore[index]


def test_concurrent_assigns_of_one_user_give_one_licence(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 10)
    token = tenant.admin.token
    assert token is not None
    results = asyncio.run(
        _fire(tenant.server.url, token, [{"userId": tenant.member_id, "product": "bi_psa"}] * 10)
    )
    assert sum(1 for r in results if r == []) == 1
    assert sum(1 for r in results if r == ["ALREADY_ASSIGNED"]) == 9
    assert tenant.pool("bi_psa")["assigned"] == 1  # type: ignore[index]
