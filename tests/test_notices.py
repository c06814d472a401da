"""In-app notices and outbound deliveries to real SMTP and HTTP peers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from notifications.channels import verify
from tests.peers import Receiver, http_receiver
from tests.support import Server, TenantFixture, codes, new_tenant, running_server

NOTICES = (
    "query($t: ID!, $u: Boolean) { tenant(id: $t) { notifications(first: 50, unreadOnly: $u) "
    "{ totalCount nodes { id title body readAt event { kind } } } } }"
)
CHANNEL = "channel { id kind url recipients kinds } secret"
LOG = (
    "query($t: ID!) { tenant(id: $t) { deliveries(first: 50) { nodes { id status attempts "
    "lastResponseCode lastError channel { kind } event { kind sequence } } } } }"
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as r:
        yield r


def notices(tenant: TenantFixture, unread: bool | None = None) -> dict[str, Any]:
    return dict(
        tenant.admin.query(NOTICES, {"t": tenant.id, "u": unread})["tenant"]["notifications"]
    )


def channel(tenant: TenantFixture, **input: Any) -> dict[str, Any]:
    return tenant.admin.ok("createDeliveryChannel", {"tenantId": tenant.id, **input}, CHANNEL)


def deliveries(tenant: TenantFixture) -> list[dict[str, Any]]:
    return list(tenant.admin.query(LOG, {"t": tenant.id})["tenant"]["deliveries"]["nodes"])


def wait_deliveries(
    tenant: TenantFixture, status: str, n: int, timeout: float = 20
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [d for d in deliveries(tenant) if d["status"] == status]
        if len(done) >= n:
            return done
        time.sleep(0.1)
    raise AssertionError(f"not {n} {status} deliveries: {deliveries(tenant)}")


def test_seat_adjustments_become_notices_in_plain_words(tenant: TenantFixture) -> None:
    tenant.set_capacity("nextticket", 25)
    users = [tenant.add_user(f"n{i}@acme.example") for i in range(22)]
    for user in users:
        tenant.assign(user, "nextticket")
    assert notices(tenant)["totalCount"] == 1  # assignments are not notices
    tenant.set_capacity("nextticket", 28)

    listed = notices(tenant)
    assert listed["totalCount"] == 2
    latest = listed["nodes"][-1]
    assert latest["title"] == "Seats adjusted"
    assert (
        latest["body"]
        == "3 NextTicket Manager seats added by your account manager: 28 purchased, 22 assigned, 6 available."
    )
    assert latest["event"] == {"kind": "SEATS_ADJUSTED"}


def test_over_allocation_and_disabled_pages_are_notices(tenant: TenantFixture) -> None:
    tenant.set_capacity("scheduled_meeting", 2)
    tenant.assign(tenant.member_id, "scheduled_meeting")
    tenant.admin.ok(
        "createBookingPage", {"ownerId": tenant.member_id, "title": "Demo"}, "bookingPage { id }"
    )
    tenant.admin.ok(
        "unassignLicense",
        {"userId": tenant.member_id, "product": "scheduled_meeting"},
        "license { id }",
    )
    tenant.assign(tenant.member_id, "scheduled_meeting")
    tenant.assign(tenant.admin_id, "scheduled_meeting")
    tenant.set_capacity("scheduled_meeting", 1)
    titles = [n["title"] for n in notices(tenant)["nodes"]]
    assert titles == [
        "Seats adjusted",
        "Booking pages disabled",
        "Seats adjusted",
        "Pool over-allocated",
    ]
    assert "unassign 1 licence" in notices(tenant)["nodes"][-1]["body"]


def test_mark_notifications_read(tenant: TenantFixture) -> None:
    for capacity in (1, 2, 3):
        tenant.set_capacity("bi_psa", capacity)
    first = notices(tenant)["nodes"][0]["id"]
    marked = tenant.admin.ok("markNotificationsRead", {"notificationIds": [first]}, "count")
    assert marked["count"] == 1
    assert notices(tenant, unread=True)["totalCount"] == 2
    rest = tenant.admin.ok("markNotificationsRead", {"all": True}, "count")
    assert rest["count"] == 2
    assert notices(tenant, unread=True)["totalCount"] == 0
    assert all(n["readAt"] for n in notices(tenant)["nodes"])


def test_members_and_other_tenants_cannot_read_or_mark_notices(server: Server) -> None:
    a = new_tenant(server)
    b = new_tenant(server, "Other")
    a.set_capacity("bi_psa", 1)
    body = a.member.raw(NOTICES, {"t": a.id, "u": None})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    notice = notices(a)["nodes"][0]["id"]
    refused = b.admin.mutate("markNotificationsRead", {"notificationIds": [notice]}, "count")
    assert codes(refused) == ["NOT_FOUND"]
    assert notices(a, unread=True)["totalCount"] == 1


def test_generic_webhook_is_signed_and_retried_until_accepted(
    tenant: TenantFixture, receiver: Receiver
) -> None:
    made = channel(tenant, kind="WEBHOOK", url=f"{receiver.url}/hook")
    secret = made["secret"]
    assert secret.startswith("whsec_")
    listed = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { deliveryChannels { kind url } } }", {"t": tenant.id}
    )
    assert listed["tenant"]["deliveryChannels"] == [
        {"kind": "WEBHOOK", "url": f"{receiver.url}/hook"}
    ]
    receiver.fail_first["/hook"] = 3

    tenant.set_capacity("bi_psa", 4)

    [accepted] = receiver.wait_for("/hook", 1)
    time.sleep(0.5)
    assert len(receiver.accepted("/hook")) == 1
    assert [r.status for r in receiver.requests] == [503, 503, 503, 200]
    assert verify(secret, accepted.body, accepted.headers["seatgraph-signature"])
    assert not verify("whsec_wrong", accepted.body, accepted.headers["seatgraph-signature"])
    payload = json.loads(accepted.body)
    assert payload["event"]["kind"] == "SEATS_ADJUSTED"
    assert payload["event"]["pool"] == {
        "product": "bi_psa",
        "capacity": 4,
        "assigned": 0,
        "available": 4,
    }
    assert payload["event"]["tenantId"] == tenant.id
    [log] = wait_deliveries(tenant, "DELIVERED", 1)
    assert log["attempts"] == 4 and log["lastResponseCode"] == 200


def test_webhooks_get_every_event_and_kinds_filter(
    tenant: TenantFixture, receiver: Receiver
) -> None:
    channel(tenant, kind="WEBHOOK", url=f"{receiver.url}/all")
    channel(tenant, kind="WEBHOOK", url=f"{receiver.url}/assigned", kinds=["LICENSE_ASSIGNED"])
    tenant.set_capacity("bi_psa", 2)
    tenant.assign(tenant.member_id, "bi_psa")
    kinds = [json.loads(r.body)["event"]["kind"] for r in receiver.wait_for("/all", 2)]
    assert kinds == ["SEATS_ADJUSTED", "LICENSE_ASSIGNED"]
    [only] = receiver.wait_for("/assigned", 1)
    assert json.loads(only.body)["event"]["kind"] == "LICENSE_ASSIGNED"


def test_slack_and_teams_formats(tenant: TenantFixture, receiver: Receiver) -> None:
    channel(tenant, kind="SLACK", url=f"{receiver.url}/slack")
    channel(tenant, kind="TEAMS", url=f"{receiver.url}/teams")
    tenant.set_capacity("bi_rmm", 3)
    [slack] = receiver.wait_for("/slack", 1)
    [teams] = receiver.wait_for("/teams", 1)
    assert json.loads(slack.body) == {
        "text": "*Seats adjusted*: 3 BI Packages - RMM seats added by your account manager: 3 purchased, 0 assigned, 3 available."
    }
    card = json.loads(teams.body)
    assert card["@type"] == "MessageCard" and card["title"] == "Seats adjusted"
    assert card["text"].startswith("3 BI Packages - RMM seats added")


def test_email_goes_to_the_administrators_over_smtp(tenant: TenantFixture, mailbox: Any) -> None:
    channel(tenant, kind="EMAIL", recipients=["billing@acme.example"])
    before = len(mailbox.messages)
    tenant.set_capacity("bi_psa", 7)
    wait_deliveries(tenant, "DELIVERED", 1)
    recipients, message = mailbox.messages[before]
    admin_email = tenant.admin.query("{ viewer { user { email } } }")["viewer"]["user"]["email"]
    assert sorted(recipients) == sorted([admin_email, "billing@acme.example"])
    assert message["Subject"] == "[Seatgraph] Acme: Seats adjusted"
    assert "7 BI Packages - PSA seats added" in message.get_payload()


def test_bad_channel_input_is_refused(tenant: TenantFixture) -> None:
    refusals = [
        tenant.admin.mutate(
            "createDeliveryChannel", {"tenantId": tenant.id, "kind": "WEBHOOK"}, CHANNEL
        ),
        tenant.admin.mutate(
            "createDeliveryChannel",
            {"tenantId": tenant.id, "kind": "SLACK", "url": "ftp://x"},
            CHANNEL,
        ),
        tenant.admin.mutate(
            "createDeliveryChannel",
            {"tenantId": tenant.id, "kind": "EMAIL", "recipients": ["nope"]},
            CHANNEL,
        ),
        tenant.member.mutate(
            "createDeliveryChannel",
            {"tenantId": tenant.id, "kind": "SLACK", "url": "http://x.example"},
            CHANNEL,
        ),
    ]
    assert [codes(r) for r in refusals] == [
        ["INVALID_INPUT"],
        ["INVALID_INPUT"],
        ["INVALID_INPUT"],
        ["FORBIDDEN"],
    ]
    listed = tenant.admin.query(
        "query($t: ID!) { tenant(id: $t) { deliveryChannels { id } } }", {"t": tenant.id}
    )
    assert listed["tenant"]["deliveryChannels"] == []


def test_give_up_after_max_attempts_then_redeliver(tmp_path: Path) -> None:
    with (
        http_receiver() as receiver,
        running_server(
            "sqlite",
            f"sqlite://{tmp_path / 'giveup.db'}",
            tmp_path / "server.log",
            {"SEATGRAPH_DELIVERY_MAX_ATTEMPTS": "3", "SEATGRAPH_DELIVERY_BACKOFF": "0.1"},
        ) as server,
    ):
        tenant = new_tenant(server)
        channel(tenant, kind="WEBHOOK", url=f"{receiver.url}/down")
        receiver.fail_first["/down"] = 3
        tenant.set_capacity("bi_psa", 1)
        [failed] = wait_deliveries(tenant, "FAILED", 1)
        assert failed["attempts"] == 3 and failed["lastResponseCode"] == 503
        assert failed["lastError"] == "HTTP 503"
        assert receiver.accepted("/down") == []

        again = tenant.admin.ok("redeliver", {"deliveryId": failed["id"]}, "delivery { id status }")
        assert again["delivery"]["status"] == "PENDING"
        receiver.wait_for("/down", 1)
        statuses = sorted(d["status"] for d in deliveries(tenant))
        assert statuses == ["DELIVERED", "FAILED"]
        assert server.stats()["deliveryAttemptsFailed"] == 3
