"""Authentication and tenant isolation."""

from __future__ import annotations

import httpx

from tests.support import Api, Server, TenantFixture, codes, new_tenant


def test_no_token_is_unauthenticated(server: Server) -> None:
    body = Api(server.url, None).raw("{ viewer { isOperator } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_wrong_token_is_unauthenticated(server: Server) -> None:
    body = Api(server.url, "sg_not-a-real-token").raw("{ products { code } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_introspection_works_without_a_token(server: Server) -> None:
    body = Api(server.url, None).raw("{ __schema { queryType { name } } }")
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


def test_graphiql_is_served(server: Server) -> None:
    response = httpx.get(server.url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_tokens_stop_working_when_the_user_cannot_log_in(tenant: TenantFixture) -> None:
    assert tenant.member.query("{ viewer { user { email } } }")["viewer"]["user"]
    tenant.admin.ok(
        "updateUser", {"userId": tenant.member_id, "status": "LOCKED"}, "user { status }"
    )
    body = tenant.member.raw("{ viewer { user { email } } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_tokens_are_stored_hashed_and_shown_once(tenant: TenantFixture) -> None:
    token = tenant.admin.ok("createApiToken", {"userId": tenant.member_id}, "token")["token"]
    assert token.startswith("sg_") and len(token) > 30
    assert Api(tenant.server.url, token).query("{ viewer { user { id } } }")["viewer"]["user"] == {
        "id": tenant.member_id
    }


def test_members_cannot_issue_tokens_for_others(tenant: TenantFixture) -> None:
    payload = tenant.member.mutate("createApiToken", {"userId": tenant.admin_id}, "token")
    assert codes(payload) == ["FORBIDDEN"] and payload["token"] is None


def test_other_tenants_objects_are_null_or_not_found(server: Server) -> None:
    a = new_tenant(server, "Tenant A")
    b = new_tenant(server, "Tenant B")
    b.set_capacity("bi_psa", 2)
    lic = b.assign(b.member_id, "bi_psa")["license"]

    data = a.admin.query(
        "query($t: ID!, $u: ID!, $l: ID!) { tenant(id: $t) { id } user: node(id: $u) { id } "
        "lic: node(id: $l) { id } many: nodes(ids: [$t, $u, $l]) { id } }",
        {"t": b.id, "u": b.member_id, "l": lic["id"]},
    )
    assert data == {"tenant": None, "user": None, "lic": None, "many": [None, None, None]}

    attempts = [
        a.admin.mutate(
            "assignLicense", {"userId": b.admin_id, "product": "bi_psa"}, "license { id }"
        ),
        a.admin.mutate("unassignLicense", {"licenseId": lic["id"]}, "license { id }"),
        a.admin.mutate(
            "reassignLicense", {"licenseId": lic["id"], "userId": a.member_id}, "license { id }"
        ),
        a.admin.mutate(
            "adjustSeatCapacity",
            {"tenantId": b.id, "product": "bi_psa", "capacity": 9, "acceptTerms": True},
            "seatPool { id }",
        ),
        a.admin.mutate("updateUser", {"userId": b.member_id, "name": "Hacked"}, "user { id }"),
        a.admin.mutate("deleteUser", {"userId": b.member_id}, "deletedUserId"),
        a.admin.mutate(
            "createUser", {"tenantId": b.id, "email": "x@b.example", "name": "X"}, "user { id }"
        ),
        a.admin.mutate("createApiToken", {"userId": b.admin_id}, "token"),
    ]
    assert [codes(p) for p in attempts] == [["NOT_FOUND"]] * len(attempts)
    assert b.pool("bi_psa") == {"capacity": 2, "assigned": 1, "available": 1, "overAllocated": 0}
    names = b.operator.query(
        "query($t: ID!) { tenant(id: $t) { users { totalCount nodes { name } } } }", {"t": b.id}
    )["tenant"]["users"]
    assert names["totalCount"] == 2 and "Hacked" not in [n["name"] for n in names["nodes"]]


def test_only_operators_list_and_create_tenants(tenant: TenantFixture) -> None:
    body = tenant.admin.raw("{ tenants { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert codes(tenant.admin.mutate("createTenant", {"name": "Mine"}, "tenant { id }")) == [
        "FORBIDDEN"
    ]
    listed = tenant.operator.query(
        "query($s: String) { tenants(first: 100, search: $s) { totalCount nodes { id } } }",
        {"s": "Acme"},
    )
    assert tenant.id in [n["id"] for n in listed["tenants"]["nodes"]]
    assert tenant.operator.query("{ viewer { isOperator user { id } } }")["viewer"] == {
        "isOperator": True,
        "user": None,
    }


def test_members_cannot_read_the_event_log(tenant: TenantFixture) -> None:
    body = tenant.member.raw(
        "query($t: ID!) { tenant(id: $t) { events { totalCount } } }", {"t": tenant.id}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
