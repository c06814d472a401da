"""Tenant isolation: every root field, against another tenant's objects, by every role.

The fields come from the served schema itself, so a new field without an entry below
fails this test. Each call must refuse (NOT_FOUND, FORBIDDEN, UNAUTHENTICATED, or null),
return nothing of tenant B, and change nothing of B.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tests.support import Api, Server, TenantFixture, new_tenant
from tests.ws import Subscription

REFUSALS = {"NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"}


def populate(b: TenantFixture) -> dict[str, str]:
    b.set_capacity("phone_system", 3)
    b.set_capacity("call_recording", 3)
    b.set_capacity("scheduled_meeting", 2)
    phone = b.assign(b.member_id, "phone_system")["license"]
    addon = b.admin.ok(
        "attachAddon", {"baseLicenseId": phone["id"], "product": "call_recording"}, "addon { id }"
    )["addon"]
    b.admin.ok(
        "configurePhoneLicense",
        {"licenseId": phone["id"], "extension": "777", "number": "15550001777"},
        "license { id }",
    )
    b.assign(b.member_id, "scheduled_meeting")
    page = b.admin.ok(
        "createBookingPage",
        {"ownerId": b.member_id, "title": "B secret page"},
        "bookingPage { id }",
    )["bookingPage"]
    sub = b.admin.ok(
        "createSubscription",
        {"tenantId": b.id, "plan": "a_la_carte", "quantity": 4, "acceptTerms": True},
        "subscription { id }",
    )["subscription"]
    channel = b.admin.ok(
        "createDeliveryChannel",
        {"tenantId": b.id, "kind": "WEBHOOK", "url": "http://127.0.0.1:9/b-hook"},
        "channel { id }",
    )["channel"]
    b.set_capacity("bi_psa", 2)
    ids = b.operator.query(
        "query($t: ID!) { tenant(id: $t) { notifications(first: 1) { nodes { id } } deliveries(first: 1) { nodes { id } } } }",
        {"t": b.id},
    )["tenant"]
    return {
        "tenant": b.id,
        "admin": b.admin_id,
        "member": b.member_id,
        "phone": phone["id"],
        "uuid": phone["uuid"],
        "addon": addon["id"],
        "page": page["id"],
        "subscription": sub["id"],
        "channel": channel["id"],
        "notification": ids["notifications"]["nodes"][0]["id"],
        "delivery": ids["deliveries"]["nodes"][0]["id"],
    }


def snapshot(b: TenantFixture) -> str:
    data = b.operator.query(
        """query($t: ID!) { tenant(id: $t) { name status
        seatPools { product { code } capacity assigned }
        users(first: 100) { nodes { id email name role status } }
        licenses(first: 100) { nodes { uuid state extension number assignee { id } addons { uuid } } }
        bookingPages { nodes { id title enabled owner { id } } }
        subscriptions { id status quantity plan { code } allocations { product seats } }
        deliveryChannels { id url }
        notifications(first: 100) { nodes { id readAt } }
        events { totalCount } } }""",
        {"t": b.id},
    )
    return json.dumps(data, sort_keys=True)


QUERIES: dict[str, tuple[str, dict[str, str]]] = {
    "node": ("query($x: ID!) { node(id: $x) { id } }", {"x": "phone"}),
    "nodes": (
        "query($x: ID!, $y: ID!) { nodes(ids: [$x, $y]) { id } }",
        {"x": "member", "y": "page"},
    ),
    "viewer": ("{ viewer { isOperator user { email } tenant { name } } }", {}),
    "tenant": (
        "query($x: ID!) { tenant(id: $x) { name users { nodes { email } } } }",
        {"x": "tenant"},
    ),
    "tenants": ("{ tenants { nodes { name } } }", {}),
    "products": ("{ products { code } }", {}),
    "plans": ("{ plans { code } }", {}),
    "provisionRequests": ("{ provisionRequests { nodes { partner body } } }", {}),
}
MUTATIONS: dict[str, dict[str, Any]] = {
    "createTenant": {"name": "Intruder"},
    "createUser": {"tenantId": "tenant", "email": "intruder@x.example", "name": "I"},
    "updateUser": {"userId": "member", "name": "Hacked", "status": "INACTIVE"},
    "deleteUser": {"userId": "member"},
    "createApiToken": {"userId": "admin"},
    "assignLicense": {"userId": "admin", "product": "phone_system"},
    "unassignLicense": {"licenseId": "phone"},
    "reassignLicense": {"licenseId": "phone", "userId": "admin"},
    "terminateLicense": {"uuid": "uuid", "force": True},
    "configurePhoneLicense": {"licenseId": "phone", "extension": "1"},
    "massConfigure": {},
    "attachAddon": {"baseLicenseId": "phone", "product": "device_ip_phone"},
    "detachAddon": {"addonLicenseId": "addon"},
    "adjustSeatCapacity": {
        "tenantId": "tenant",
        "product": "bi_psa",
        "capacity": 99,
        "acceptTerms": True,
    },
    "createSubscription": {
        "tenantId": "tenant",
        "plan": "startup",
        "quantity": 5,
        "acceptTerms": True,
    },
    "changePlan": {"subscriptionId": "subscription", "plan": "professional"},
    "cancelSubscription": {"subscriptionId": "subscription"},
    "allocateSeats": {
        "subscriptionId": "subscription",
        "allocations": [{"product": "bi_rmm", "seats": 4}],
    },
    "createBookingPage": {"ownerId": "member", "title": "Hijack", "enabled": False},
    "setBookingPageEnabled": {"bookingPageId": "page", "enabled": False},
    "transferBookingPage": {"bookingPageId": "page", "newOwnerId": "admin"},
    "markNotificationsRead": {"notificationIds": ["notification"]},
    "createDeliveryChannel": {"tenantId": "tenant", "kind": "SLACK", "url": "http://127.0.0.1:9/x"},
    "deleteDeliveryChannel": {"channelId": "channel"},
    "redeliver": {"deliveryId": "delivery"},
}
SUBSCRIPTIONS = {"seatEvents"}


def resolve(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    return value


def refused(body: dict[str, Any], field: str) -> bool:
    if body.get("errors"):
        return {e.get("extensions", {}).get("code") for e in body["errors"]} <= REFUSALS
    payload = (body.get("data") or {}).get(field)
    if isinstance(payload, dict) and "userErrors" in payload:
        return (
            bool(payload["userErrors"]) and {e["code"] for e in payload["userErrors"]} <= REFUSALS
        )
    return (
        payload is None
        or payload == []
        or (isinstance(payload, list) and all(p is None for p in payload))
    )


def call(api: Api, field: str, ids: dict[str, str], b_tenant: str) -> dict[str, Any]:
    if field in QUERIES:
        document, variables = QUERIES[field]
        return api.raw(document, resolve(variables, ids))
    if field == "massConfigure":
        return api.upload(
            "mutation($input: MassConfigureInput!) { massConfigure(input: $input) { result { created } userErrors { code } } }",
            {"input": {"tenantId": b_tenant, "file": None}},
            "input.file",
            b"Ext Key,Number,User\n1,15550001,x@x.example\n",
        )
    name = field[0].upper() + field[1:]
    return api.raw(
        f"mutation($input: {name}Input!) {{ {field}(input: $input) {{ userErrors {{ code }} }} }}",
        {"input": resolve(MUTATIONS[field], ids)},
    )


def test_every_root_field_refuses_another_tenant(server: Server) -> None:
    a = new_tenant(server, "Tenant A")
    b = new_tenant(server, "Tenant B secret")
    ids = populate(b)
    markers = [b.id, "Tenant B secret", "B secret page", ids["uuid"], "15550001777", "b-hook"] + [
        u["email"]
        for u in b.operator.query(
            "query($t: ID!) { tenant(id: $t) { users { nodes { email } } } }", {"t": b.id}
        )["tenant"]["users"]["nodes"]
    ]
    schema = server.api().query(
        "{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }"
    )["__schema"]
    served = {
        "query": {f["name"] for f in schema["queryType"]["fields"]},
        "mutation": {f["name"] for f in schema["mutationType"]["fields"]},
        "subscription": {f["name"] for f in schema["subscriptionType"]["fields"]},
    }
    assert served["query"] == set(QUERIES), "add the new query fields to the isolation matrix"
    assert served["mutation"] == set(MUTATIONS), "add the new mutations to the isolation matrix"
    assert served["subscription"] == SUBSCRIPTIONS, (
        "add the new subscriptions to the isolation matrix"
    )

    before = snapshot(b)
    callers = {"A administrator": a.admin, "A member": a.member, "anonymous": Api(server.url, None)}
    problems = []
    for field in sorted(served["query"] | served["mutation"]):
        for who, api in callers.items():
            body = call(api, field, ids, b.id)
            text = json.dumps(body)
            leaked = [m for m in markers if m in text]
            if field in QUERIES and field in ("viewer", "products", "plans") and who != "anonymous":
                ok = not leaked  # own data only
            else:
                ok = refused(body, field) and not leaked
            if not ok:
                problems.append(f"{field} as {who}: {text[:300]}")
    assert problems == []
    assert snapshot(b) == before

    async def subscribe() -> None:
        for who, api in callers.items():
            if api.token is None:
                try:
                    async with Subscription(server.ws_url, None) as sub:
                        await sub.receive()
                    raise AssertionError("anonymous connection accepted")
                except (AssertionError, websockets.ConnectionClosed) as exc:
                    assert "accepted" not in str(exc)
                continue
            async with Subscription(server.ws_url, api.token) as sub:
                await sub.subscribe({"tenantId": b.id})
                message = await sub.receive()
                errors = (
                    message["payload"]
                    if message["type"] == "error"
                    else message["payload"].get("errors")
                )
                assert errors and errors[0]["extensions"]["code"] in REFUSALS, (who, message)

    asyncio.run(subscribe())
