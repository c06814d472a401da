"""Marketplace provisioning over signed HTTP requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support import Api, Server, cli, codes

SECRET = "pax8-test-secret"


def signature(body: bytes, secret: str = SECRET, t: int | None = None) -> str:
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def post(server: Server, body: dict[str, Any] | bytes, **headers: str) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers.setdefault("Seatgraph-Signature", signature(raw))
    return httpx.post(
        server.url.replace("/graphql", "/marketplace/provision-requests"),
        content=raw,
        headers=headers,
    )


def net_new(server: Server, n: str, **extra: Any) -> dict[str, Any]:
    body = {
        "id": f"req-{n}",
        "type": "NET_NEW",
        "partner": "pax8",
        "companyId": f"co-{n}",
        "companyName": f"MSP {n}",
        "adminEmail": f"admin@msp-{n}.example",
        "plan": "startup",
        "quantity": 22,
        "subscriptionId": f"sub-{n}",
        **extra,
    }
    response = post(server, body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def admin_of(server: Server, tenant_id: str, email: str) -> Api:
    token = server.api().query(
        "query($t: ID!, $e: String!) { tenant(id: $t) { user(email: $e) { id } } }",
        {"t": tenant_id, "e": email},
    )["tenant"]["user"]["id"]
    created = server.api().ok("createApiToken", {"userId": token}, "token")["token"]
    return Api(server.url, created)


def unique() -> str:
    return str(time.time_ns())


def test_net_new_creates_tenant_admin_subscription_and_welcomes(
    server: Server, mailbox: Any
) -> None:
    n = unique()
    before = len(mailbox.messages)
    answer = net_new(server, n)
    assert answer["status"] == "FULFILLED"
    admin = admin_of(server, answer["tenantId"], f"admin@msp-{n}.example")
    data = admin.query(
        "{ viewer { user { role } tenant { name subscriptions { id source externalId quantity plan { code } } "
        "seatPools { product { code } capacity } notifications { nodes { title body } } } } }"
    )["viewer"]
    assert data["user"]["role"] == "ADMINISTRATOR"
    tenant = data["tenant"]
    assert tenant["name"] == f"MSP {n}"
    assert tenant["subscriptions"] == [
        {
            "id": answer["subscriptionId"],
            "source": "MARKETPLACE",
            "externalId": f"sub-{n}",
            "quantity": 22,
            "plan": {"code": "startup"},
        }
    ]
    assert {p["product"]["code"]: p["capacity"] for p in tenant["seatPools"]} == {
        "nextticket": 22,
        "bi_psa": 22,
    }
    welcome = tenant["notifications"]["nodes"][-1]
    assert welcome["title"] == "Subscription started" and "pax8" in welcome["body"]
    assert "Next steps: sign in as" in welcome["body"]

    def welcome_mails() -> list[Any]:
        return [
            m
            for rcpt, m in mailbox.messages[before:]
            if f"admin@msp-{n}.example" in rcpt and "Subscription started" in m["Subject"]
        ]

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not welcome_mails():
        time.sleep(0.1)
    [mail] = welcome_mails()
    assert "Next steps" in mail.get_payload()


def test_a_replay_returns_the_first_answer_and_changes_nothing(server: Server) -> None:
    n = unique()
    body = json.dumps(
        {
            "id": f"req-{n}",
            "type": "NET_NEW",
            "partner": "pax8",
            "companyId": f"co-{n}",
            "companyName": f"MSP {n}",
            "adminEmail": f"a@{n}.example",
            "plan": "startup",
            "quantity": 5,
            "subscriptionId": f"sub-{n}",
        }
    ).encode()
    first = post(server, body)
    tenants_before = server.api().query("{ tenants { totalCount } }")["tenants"]["totalCount"]
    replay = post(server, body)
    assert replay.status_code == 200 and replay.json() == first.json()
    assert (
        server.api().query("{ tenants { totalCount } }")["tenants"]["totalCount"] == tenants_before
    )
    events = server.api().query(
        "query($t: ID!) { tenant(id: $t) { events { totalCount } } }",
        {"t": first.json()["tenantId"]},
    )["tenant"]["events"]["totalCount"]
    other = json.loads(body)
    other["quantity"] = 6
    conflict = post(server, other)
    assert conflict.status_code == 409 and conflict.json()["status"] == "CONFLICT"
    after = server.api().query(
        "query($t: ID!) { tenant(id: $t) { events { totalCount } seatPools { capacity } } }",
        {"t": first.json()["tenantId"]},
    )["tenant"]
    assert after["events"]["totalCount"] == events
    assert {p["capacity"] for p in after["seatPools"]} == {5}


def test_update_adds_and_removes_seats_with_notices(server: Server) -> None:
    n = unique()
    answer = net_new(server, n)
    admin = admin_of(server, answer["tenantId"], f"admin@msp-{n}.example")
    for i in range(22):
        uid = admin.ok(
            "createUser",
            {"tenantId": answer["tenantId"], "email": f"u{i}@x.example", "name": "U"},
            "user { id }",
        )["user"]["id"]
        admin.ok("assignLicense", {"userId": uid, "product": "nextticket"}, "license { id }")

    up = post(
        server,
        {
            "id": f"up-{n}",
            "type": "UPDATE",
            "partner": "pax8",
            "subscriptionId": f"sub-{n}",
            "quantity": 25,
        },
    )
    assert up.status_code == 200
    notices = admin.query(
        "{ viewer { tenant { notifications { nodes { body } } events(kinds: [SEATS_ADJUSTED]) { nodes { source delta product } } } } }"
    )["viewer"]["tenant"]
    bodies = [x["body"] for x in notices["notifications"]["nodes"]]
    assert (
        "3 NextTicket Manager seats added by the marketplace: 25 purchased, 22 assigned, 3 available."
        in bodies
    )
    assert {"source": "MARKETPLACE", "delta": 3, "product": "nextticket"} in notices["events"][
        "nodes"
    ]

    down = post(
        server,
        {
            "id": f"down-{n}",
            "type": "UPDATE",
            "partner": "pax8",
            "subscriptionId": f"sub-{n}",
            "quantity": 20,
        },
    )
    assert down.status_code == 200
    pool = admin.query(
        '{ viewer { tenant { seatPool(product: "nextticket") { capacity assigned overAllocated } notifications { nodes { title body } } } } }'
    )["viewer"]["tenant"]
    assert pool["seatPool"] == {"capacity": 20, "assigned": 22, "overAllocated": 2}
    last = pool["notifications"]["nodes"][-2:]
    assert any(
        x["title"] == "Pool over-allocated" and "unassign 2 licence(s)" in x["body"] for x in last
    )


def test_change_plan_and_cancel_through_the_marketplace(server: Server) -> None:
    n = unique()
    answer = net_new(server, n)
    up = post(
        server,
        {
            "id": f"cp-{n}",
            "type": "CHANGE_PLAN",
            "partner": "pax8",
            "subscriptionId": f"sub-{n}",
            "plan": "professional",
        },
    )
    assert up.status_code == 200
    bad = post(
        server,
        {
            "id": f"cp2-{n}",
            "type": "CHANGE_PLAN",
            "partner": "pax8",
            "subscriptionId": f"sub-{n}",
            "plan": "bundle",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["status"] == "REJECTED" and bad.json()["code"] == "PLAN_CHANGE_NOT_ALLOWED"
    unknown = post(
        server, {"id": f"cx-{n}", "type": "CANCEL", "partner": "pax8", "subscriptionId": "nope"}
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "NOT_FOUND"
    cancel = post(
        server, {"id": f"c-{n}", "type": "CANCEL", "partner": "pax8", "subscriptionId": f"sub-{n}"}
    )
    assert cancel.status_code == 200
    tenant = server.api().query(
        "query($t: ID!) { tenant(id: $t) { status subscriptions { status plan { code } } } }",
        {"t": answer["tenantId"]},
    )["tenant"]
    assert tenant == {
        "status": "CANCELLED",
        "subscriptions": [{"status": "CANCELLED", "plan": {"code": "professional"}}],
    }


def test_marketplace_tenants_cannot_buy_around_the_marketplace(server: Server) -> None:
    n = unique()
    answer = net_new(server, n, quantity=1)
    admin = admin_of(server, answer["tenantId"], f"admin@msp-{n}.example")
    t = answer["tenantId"]
    refusals = [
        admin.mutate(
            "adjustSeatCapacity",
            {"tenantId": t, "product": "nextticket", "capacity": 5, "acceptTerms": True},
            "seatPool { id }",
        ),
        admin.mutate(
            "changePlan",
            {"subscriptionId": answer["subscriptionId"], "plan": "professional"},
            "subscription { id }",
        ),
        admin.mutate(
            "cancelSubscription",
            {"subscriptionId": answer["subscriptionId"]},
            "subscription { id }",
        ),
        admin.mutate(
            "createSubscription",
            {"tenantId": t, "plan": "bundle", "quantity": 1, "acceptTerms": True},
            "subscription { id }",
        ),
        server.api().mutate(
            "adjustSeatCapacity",
            {"tenantId": t, "product": "nextticket", "capacity": 0},
            "seatPool { id }",
        ),
    ]
    assert [codes(r) for r in refusals] == [["MANAGED_BY_MARKETPLACE"]] * 5
    me = admin.query("{ viewer { user { id } } }")["viewer"]["user"]["id"]
    assert admin.ok("assignLicense", {"userId": me, "product": "nextticket"}, "license { id }")
    other = admin.ok(
        "createUser", {"tenantId": t, "email": "o@x.example", "name": "O"}, "user { id }"
    )["user"]["id"]
    full = admin.mutate(
        "assignLicense",
        {"userId": other, "product": "nextticket", "increaseCapacity": True, "acceptTerms": True},
        "license { id }",
    )
    assert codes(full) == ["MANAGED_BY_MARKETPLACE"]
    pools = admin.query(
        "{ viewer { tenant { seatPools { capacity assigned } subscriptions { status } } } }"
    )["viewer"]["tenant"]
    assert {(p["capacity"], p["assigned"]) for p in pools["seatPools"]} == {(1, 1), (1, 0)}
    assert pools["subscriptions"] == [{"status": "ACTIVE"}]


def test_authentication_and_malformed_bodies(server: Server) -> None:
    body = {"id": "x1", "type": "CANCEL", "partner": "pax8", "subscriptionId": "s"}
    raw = json.dumps(body).encode()
    assert (
        post(server, raw, **{"Seatgraph-Signature": signature(raw, "wrong-secret")}).status_code
        == 401
    )
    assert (
        post(
            server, raw, **{"Seatgraph-Signature": signature(raw, t=int(time.time()) - 600)}
        ).status_code
        == 401
    )
    assert post(server, raw, **{"Seatgraph-Signature": ""}).status_code == 401
    stranger = json.dumps({**body, "partner": "nobody"}).encode()
    assert post(server, stranger).status_code == 401
    missing = post(server, {"id": "x2", "type": "UPDATE", "partner": "pax8", "subscriptionId": "s"})
    assert missing.status_code == 400 and missing.json()["field"] == "quantity"
    wrong_type = post(server, {"id": "x3", "type": "EXPLODE", "partner": "pax8"})
    assert wrong_type.status_code == 400 and wrong_type.json()["field"] == "type"
    not_json = post(server, b"{nope")
    assert not_json.status_code == 400 and not_json.json()["field"] == "body"


def test_operators_list_requests_and_outcomes(server: Server) -> None:
    n = unique()
    net_new(server, n)
    post(
        server,
        {
            "id": f"bad-{n}",
            "type": "CHANGE_PLAN",
            "partner": "pax8",
            "subscriptionId": f"sub-{n}",
            "plan": "bundle",
        },
    )
    listed = server.api().query(
        '{ provisionRequests(first: 100, partner: "pax8") { nodes { requestId type statusCode response tenant { name } } } }'
    )["provisionRequests"]["nodes"]
    mine = {r["requestId"]: r for r in listed if r["requestId"].endswith(n)}
    assert mine[f"req-{n}"]["statusCode"] == 200 and mine[f"req-{n}"]["tenant"] == {
        "name": f"MSP {n}"
    }
    assert mine[f"bad-{n}"]["statusCode"] == 422
    assert json.loads(mine[f"bad-{n}"]["response"])["code"] == "PLAN_CHANGE_NOT_ALLOWED"


def test_cli_signs_bodies_that_the_server_accepts(server: Server, tmp_path: Path) -> None:
    n = unique()
    path = tmp_path / "body.json"
    path.write_text(
        json.dumps(
            {
                "id": f"cli-{n}",
                "type": "NET_NEW",
                "partner": "pax8",
                "companyId": f"c{n}",
                "companyName": "CLI MSP",
                "adminEmail": f"cli@{n}.example",
                "plan": "bundle",
                "quantity": 2,
                "subscriptionId": f"cli-sub-{n}",
            }
        )
    )
    out = cli("marketplace", "sign", str(path), "--secret", SECRET).stdout.strip()
    name, _, value = out.partition(": ")
    assert name == "Seatgraph-Signature"
    response = httpx.post(
        server.url.replace("/graphql", "/marketplace/provision-requests"),
        content=path.read_bytes(),
        headers={name: value},
    )
    assert response.status_code == 200
