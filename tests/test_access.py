"""access(product): NO_PERMISSION without a licence, CANNOT_LOG_IN for other statuses."""

from __future__ import annotations

from tests.support import TenantFixture, codes

ACCESS = "access(product: $p) { product allowed denial message }"


def viewer_access(api: object, product: str) -> dict[str, object]:
    data = api.query(  # type: ignore[attr-defined]
        f"query($p: String!) {{ viewer {{ {ACCESS} }} }}", {"p": product}
    )
    return dict(data["viewer"]["access"])


def user_access(tenant: TenantFixture, user_id: str, product: str) -> dict[str, object]:
    data = tenant.admin.query(
        f"query($id: ID!, $p: String!) {{ node(id: $id) {{ ... on User {{ {ACCESS} }} }} }}",
        {"id": user_id, "p": product},
    )
    return dict(data["node"]["access"])


def test_a_user_without_a_licence_gets_no_permission(tenant: TenantFixture) -> None:
    assert viewer_access(tenant.member, "nextticket") == {
        "product": "nextticket",
        "allowed": False,
        "denial": "NO_PERMISSION",
        "message": "No Permission: ask your administrator for a licence",
    }


def test_a_licensed_user_is_allowed_until_the_licence_is_removed(tenant: TenantFixture) -> None:
    tenant.set_capacity("nextticket", None)
    tenant.assign(tenant.member_id, "nextticket")
    assert viewer_access(tenant.member, "nextticket")["allowed"] is True
    tenant.admin.ok(
        "unassignLicense", {"userId": tenant.member_id, "product": "nextticket"}, "license { id }"
    )
    assert viewer_access(tenant.member, "nextticket")["denial"] == "NO_PERMISSION"


def test_a_locked_user_with_a_licence_cannot_log_in(tenant: TenantFixture) -> None:
    tenant.set_capacity("nextticket", None)
    user = tenant.add_user("locked@acme.example", status="LOCKED")
    tenant.assign(user, "nextticket")
    access = user_access(tenant, user, "nextticket")
    assert access["allowed"] is False
    assert access["denial"] == "CANNOT_LOG_IN"


def test_unknown_product_is_not_found(tenant: TenantFixture) -> None:
    body = tenant.member.raw('{ viewer { access(product: "nope") { allowed } } }')
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_member_reads_own_licences_and_access_but_not_others(tenant: TenantFixture) -> None:
    tenant.set_capacity("bi_psa", 2)
    tenant.assign(tenant.member_id, "bi_psa")
    tenant.assign(tenant.admin_id, "bi_psa")
    data = tenant.member.query(
        "query($id: ID!) { viewer { user { licenses { product { code } } } } "
        "tenant(id: $id) { users { totalCount nodes { id } } licenses { totalCount } } }",
        {"id": tenant.id},
    )
    assert data["viewer"]["user"]["licenses"] == [{"product": {"code": "bi_psa"}}]
    assert data["tenant"]["users"]["totalCount"] == 1
    assert data["tenant"]["users"]["nodes"] == [{"id": tenant.member_id}]
    assert data["tenant"]["licenses"]["totalCount"] == 1
    # another user's node is invisible to a member
    hidden = tenant.member.query(
        "query($id: ID!) { node(id: $id) { id } }", {"id": tenant.admin_id}
    )
    assert hidden["node"] is None
    assert codes(
        tenant.member.mutate(
            "assignLicense", {"userId": tenant.member_id, "product": "bi_psa"}, "license { id }"
        )
    ) == ["FORBIDDEN"]
