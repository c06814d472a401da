"""Lists: Relay paging, licence filters, and a constant number of SQL statements per page."""

from __future__ import annotations

import pytest

from tests.support import TenantFixture

PAGE = """
query($t: ID!, $first: Int) { tenant(id: $t) { licenses(first: $first) {
  nodes { uuid assignee { email } product { code } addons { uuid } base { uuid } }
} } }
"""


def test_a_page_of_licences_costs_a_constant_number_of_statements(tenant: TenantFixture) -> None:
    tenant.set_capacity("nextticket", None)
    tenant.set_capacity("bi_psa", 40)
    users = [tenant.add_user(f"n{i}@acme.example") for i in range(60)]
    for user in users:
        tenant.assign(user, "nextticket")
    for user in users[:40]:
        tenant.assign(user, "bi_psa")

    counts = {}
    for first in (5, 50, 100):
        data = tenant.admin.query(PAGE, {"t": tenant.id, "first": first})
        assert len(data["tenant"]["licenses"]["nodes"]) == first
        counts[first] = tenant.admin.last_extensions["sqlStatements"]
    assert counts[5] == counts[50] == counts[100]
    assert counts[100] <= 5


def test_a_page_answers_each_licence_with_its_own_assignee_and_addons(
    tenant: TenantFixture,
) -> None:
    """Assignees and add-ons are prefetched for the page: each node still gets its own."""
    tenant.set_capacity("phone_system", 6)
    tenant.set_capacity("call_recording", 6)
    users = [tenant.add_user(f"p{i}@acme.example") for i in range(4)]
    bases = [tenant.assign(u, "phone_system")["license"] for u in users]
    for base in bases[:2]:
        tenant.admin.ok(
            "attachAddon",
            {"baseLicenseId": base["id"], "product": "call_recording"},
            "addon { id }",
        )
    query = """query($t: ID!) { tenant(id: $t) { licenses(first: 100, filter: {kind: BASE}) {
      edges { node { uuid assignee { id } addons { product { code } base { uuid } } } }
    } } }"""
    edges = tenant.admin.query(query, {"t": tenant.id})["tenant"]["licenses"]["edges"]
    by_uuid = {e["node"]["uuid"]: e["node"] for e in edges}
    for user, base in zip(users, bases, strict=True):
        node = by_uuid[base["uuid"]]
        assert node["assignee"] == {"id": user}
        expected = [{"product": {"code": "call_recording"}, "base": {"uuid": base["uuid"]}}]
        assert node["addons"] == (expected if base in bases[:2] else [])


def test_seat_pools_and_users_lists_do_not_grow_with_size(tenant: TenantFixture) -> None:
    for code in ("bi_psa", "bi_rmm", "phone_system", "scheduled_meeting"):
        tenant.set_capacity(code, 3)
    tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { seatPools { product { code } capacity assigned available } "
        "users(first: 100) { nodes { email licenses { product { code } } } } } }",
        {"t": tenant.id},
    )
    assert tenant.admin.last_extensions["sqlStatements"] <= 4


def test_first_defaults_to_twenty_and_is_capped_at_a_hundred(tenant: TenantFixture) -> None:
    tenant.set_capacity("phone_system", 130)
    query = "query($t: ID!, $f: Int) { tenant(id: $t) { licenses(first: $f) { totalCount nodes { uuid } } } }"
    default = tenant.admin.query(query, {"t": tenant.id, "f": None})["tenant"]["licenses"]
    capped = tenant.admin.query(query, {"t": tenant.id, "f": 1000})["tenant"]["licenses"]
    assert len(default["nodes"]) == 20 and default["totalCount"] == 130
    assert len(capped["nodes"]) == 100
    body = tenant.admin.raw(query, {"t": tenant.id, "f": -1})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    bad_cursor = tenant.admin.raw(
        'query($t: ID!) { tenant(id: $t) { licenses(after: "garbage") { totalCount } } }',
        {"t": tenant.id},
    )
    assert bad_cursor["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_paging_visits_every_licence_once(tenant: TenantFixture) -> None:
    tenant.set_capacity("phone_system", 45)
    query = (
        "query($t: ID!, $a: String) { tenant(id: $t) { licenses(first: 20, after: $a) "
        "{ pageInfo { hasNextPage hasPreviousPage endCursor } nodes { uuid } } } }"
    )
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        conn = tenant.admin.query(query, {"t": tenant.id, "a": after})["tenant"]["licenses"]
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [n["uuid"] for n in conn["nodes"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3 and len(seen) == len(set(seen)) == 45


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"product": "bi_psa"}, 3),
        ({"product": "bi_psa", "state": "ASSIGNED"}, 1),
        ({"state": "AVAILABLE"}, 3),
        ({"kind": "BASE"}, 5),
        ({"assignee": "CAROL"}, 2),
        ({"extension": "201"}, 0),
        ({"uuid": "not-a-uuid"}, 0),
        ({"product": "unknown_product"}, 0),
    ],
)
def test_licence_filters(tenant: TenantFixture, filter: dict[str, str], expected: int) -> None:
    tenant.set_capacity("bi_psa", 3)
    tenant.set_capacity("nextticket", 2)
    carol = tenant.add_user("carol@acme.example")
    tenant.assign(carol, "bi_psa")
    tenant.assign(carol, "nextticket")
    data = tenant.admin.query(
        "query($t: ID!, $f: LicenseFilter) { tenant(id: $t) { licenses(filter: $f) { totalCount } } }",
        {"t": tenant.id, "f": filter},
    )
    assert data["tenant"]["licenses"]["totalCount"] == expected


def test_licence_by_uuid_and_assignee_id(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 3)
    lic = tenant.assign(tenant.member_id, "bi_psa")["license"]
    data = tenant.admin.query(
        "query($t: ID!, $u: String!, $a: ID!) { tenant(id: $t) { license(uuid: $u) { id } "
        "licenses(filter: {assigneeId: $a}) { nodes { uuid } } } }",
        {"t": tenant.id, "u": lic["uuid"], "a": tenant.member_id},
    )
    assert data["tenant"]["license"] == {"id": lic["id"]}
    assert data["tenant"]["licenses"]["nodes"] == [{"uuid": lic["uuid"]}]


def test_catalog_queries(tenant: TenantFixture) -> None:
    data = tenant.member.query(
        "{ products { code kind assignment baseProducts } plans { code mode changeableTo "
        "pricePerSeat { amount currencyCode } } }"
    )
    products = {p["code"]: p for p in data["products"]}
    assert products["crm_user"]["assignment"] == "BY_STATUS"
    assert products["license_number"] == {
        "code": "license_number",
        "kind": "ADDON",
        "assignment": "EXPLICIT",
        "baseProducts": ["phone_system"],
    }
    plans = {p["code"]: p for p in data["plans"]}
    assert plans["startup"]["changeableTo"] == ["professional"]
    assert plans["a_la_carte"]["mode"] == "A_LA_CARTE"
    assert set(plans) == {"startup", "professional", "bundle", "a_la_carte"}


def test_depth_and_alias_limits(tenant: TenantFixture) -> None:
    aliases = " ".join(f"a{i}: viewer {{ isOperator }}" for i in range(40))
    body = tenant.admin.raw(f"{{ {aliases} }}")
    assert body.get("data") is None and body["errors"]
    deep = "{ viewer { tenant { users { nodes { licenses { addons { base { addons { base { addons { base { addons { base { uuid } } } } } } } } } } } } } }"
    body = tenant.admin.raw(deep)
    assert body.get("data") is None and "depth" in body["errors"][0]["message"]
