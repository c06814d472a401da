"""How one event looks on each channel: generic signed JSON, Slack, Teams, e-mail."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from email.message import EmailMessage
from typing import Any

from models.events import SeatEvent
from models.notices import NOTICE_KINDS

SIGNATURE_HEADER = "Seatgraph-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`` (Stripe style)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """Check a signature header; refuses timestamps older than ``tolerance`` seconds."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        t = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def title(event: SeatEvent) -> str:
    return NOTICE_KINDS.get(event.kind) or event.kind.value.replace("_", " ").capitalize()


def event_json(event: SeatEvent, tenant_global_id: str, cursor: str) -> dict[str, Any]:
    return {
        "tenantId": tenant_global_id,
        "cursor": cursor,
        "sequence": event.sequence,
        "kind": event.kind.value,
        "occurredAt": event.occurred_at.isoformat(),
        "source": event.source.value,
        "product": event.product,
        "delta": event.delta,
        "pool": event.pool,
        "message": event.message,
    }


def webhook_body(delivery_id: int, payload: dict[str, Any]) -> bytes:
    return json.dumps({"deliveryId": delivery_id, "event": payload}, separators=(",", ":")).encode()


def slack_body(event: SeatEvent) -> bytes:
    return json.dumps({"text": f"*{title(event)}*: {event.message}"}).encode()


def teams_body(event: SeatEvent) -> bytes:
    return json.dumps(
        {
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "summary": title(event),
            "title": title(event),
            "text": event.message,
        }
    ).encode()


def email_message(
    event: SeatEvent, *, sender: str, recipients: list[str], tenant: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"[Seatgraph] {tenant}: {title(event)}"
    message.set_content(
        f"{event.message}\n\nEvent {event.sequence} ({event.kind.value}) at "
        f"{event.occurred_at.isoformat()}.\n"
    )
    return message
