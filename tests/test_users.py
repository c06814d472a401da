"""Users: creation, validation, status changes and deletion with their seat effects."""

from __future__ import annotations

from tests.support import TenantFixture, codes


def test_email_is_unique_per_tenant_case_insensitively(tenant: TenantFixture) -> None:
    tenant.add_user("Jane@Acme.example")
    payload = tenant.admin.mutate(
        "createUser",
        {"tenantId": tenant.id, "email": "jane@acme.EXAMPLE", "name": "Jane"},
        "user { id }",
    )
    assert codes(payload) == ["DUPLICATE"]
    assert payload["userErrors"][0]["field"] == ["input", "email"]


def test_invalid_email_and_name_are_refused(tenant: TenantFixture) -> None:
    bad_email = tenant.admin.mutate(
        "createUser", {"tenantId": tenant.id, "email": "not-an-email", "name": "X"}, "user { id }"
    )
    empty_name = tenant.admin.mutate(
        "createUser",
        {"tenantId": tenant.id, "email": "x@acme.example", "name": "  "},
        "user { id }",
    )
    assert codes(bad_email) == ["INVALID_INPUT"] and codes(empty_name) == ["INVALID_INPUT"]
    found = tenant.admin.query(
        'query($t: ID!) { tenant(id: $t) { user(email: "x@acme.example") { id } } }',
        {"t": tenant.id},
    )
    assert found["tenant"]["user"] is None


def test_created_users_have_role_status_and_login_flag(tenant: TenantFixture) -> None:
    payload = tenant.admin.ok(
        "createUser",
        {"tenantId": tenant.id, "email": "room@acme.example", "name": "Room 1", "status": "ROOM"},
        "user { email name role status canLogIn }",
    )
    assert payload["user"] == {
        "email": "room@acme.example",
        "name": "Room 1",
        "role": "MEMBER",
        "status": "ROOM",
        "canLogIn": False,
    }


def test_deactivating_a_user_frees_their_seats_at_once(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 1)
    tenant.assign(tenant.member_id, "bi_psa")
    tenant.admin.ok(
        "updateUser", {"userId": tenant.member_id, "status": "INACTIVE"}, "user { status }"
    )
    assert tenant.pool("bi_psa")["assigned"] == 0  # type: ignore[index]
    kinds = [e["kind"] for e in tenant.events()][-2:]
    assert kinds == ["LICENSE_UNASSIGNED", "USER_STATUS_CHANGED"]


def test_deleting_a_user_releases_their_licences(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 1)
    tenant.set_capacity("nextticket", None)
    user = tenant.add_user("leaver@acme.example")
    tenant.assign(user, "bi_psa")
    tenant.assign(user, "nextticket")

    payload = tenant.admin.ok(
        "deleteUser", {"userId": user}, "deletedUserId releasedLicenses { state product { code } }"
    )

    assert payload["deletedUserId"] == user
    assert sorted(r["product"]["code"] for r in payload["releasedLicenses"]) == [
        "bi_psa",
        "nextticket",
    ]
    assert {r["state"] for r in payload["releasedLicenses"]} == {"AVAILABLE"}
    assert tenant.pool("bi_psa")["assigned"] == 0  # type: ignore[index]
    assert (
        tenant.operator.query("query($id: ID!) { node(id: $id) { id } }", {"id": user})["node"]
        is None
    )


def test_administrators_cannot_delete_themselves(tenant: TenantFixture) -> None:
    payload = tenant.admin.mutate("deleteUser", {"userId": tenant.admin_id}, "deletedUserId")
    assert codes(payload) == ["FORBIDDEN"]
    assert (
        tenant.admin.query("{ viewer { user { id } } }")["viewer"]["user"]["id"] == tenant.admin_id
    )


def test_users_search_and_status_filter(tenant: TenantFixture) -> None:
    tenant.add_user("carol.smith@acme.example")
    tenant.add_user("dave@acme.example", status="INACTIVE")
    data = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { "
        'bySearch: users(search: "SMITH") { nodes { email } } '
        "inactive: users(status: [INACTIVE]) { totalCount nodes { email } } } }",
        {"t": tenant.id},
    )
    assert data["tenant"]["bySearch"]["nodes"] == [{"email": "carol.smith@acme.example"}]
    assert data["tenant"]["inactive"]["nodes"] == [{"email": "dave@acme.example"}]
