"""The delivery worker: sends queued deliveries with retries and exponential backoff.

A delivery is claimed by a guarded update (status and lease checked in the WHERE), so
several processes never send the same delivery at once; a claim whose lease expired
(the process died mid-send) is claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
from tortoise.expressions import F, Q
from tortoise.timezone import now

from models.enums import ChannelKind, DeliveryStatus, Role, UserStatus
from models.globalids import encode_cursor, to_global_id
from models.notices import Delivery, DeliveryChannel
from models.tenancy import Tenant, User
from notifications import channels

log = logging.getLogger("seatgraph.delivery")
LEASE = timedelta(seconds=60)


class DeliveryError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SmtpSender:
    """``smtp://[user:pass@]host[:port][?starttls=true]`` or ``smtps://...``."""

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SMTP_URL={url!r} must look like smtp://host:port")
        self.host = parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["false"])[0] in ("1", "true")
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    def _send(self, message: EmailMessage) -> None:
        cls = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with cls(self.host, self.port, timeout=15) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)


class DeliveryWorker:
    def __init__(
        self,
        *,
        smtp: SmtpSender | None,
        max_attempts: int = 8,
        backoff: float = 900.0,
        poll_interval: float = 1.0,
        concurrency: int = 8,
        http_timeout: float = 10.0,
    ) -> None:
        self.smtp = smtp
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.poll_interval = poll_interval
        self.http_timeout = http_timeout
        self._limit = asyncio.Semaphore(concurrency)
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self.sent = 0
        self.failed_attempts = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        self._wakeup.set()

    async def start(self) -> None:
        self._http = httpx.AsyncClient(timeout=self.http_timeout, follow_redirects=False)
        self._task = asyncio.create_task(self._run(), name="seatgraph-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._http is not None:
            await self._http.aclose()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)
            self._wakeup.clear()
            try:
                while await self.run_due() == 50:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery pass failed; retrying at the next poll")

    def delay(self, attempts: int) -> timedelta:
        """Wait before attempt ``attempts + 1``: backoff * 2^(attempts - 1)."""
        return timedelta(seconds=self.backoff * 2 ** max(0, attempts - 1))

    async def run_due(self, limit: int = 50) -> int:
        moment = now()
        due = (
            await Delivery.filter(
                Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=moment)
                | Q(status=DeliveryStatus.SENDING, claimed_until__lt=moment)
            )
            .order_by("next_attempt_at", "id")
            .limit(limit)
            .values_list("id", "status", "attempts")
        )
        claimed = []
        for delivery_id, status, attempts in due:
            won = await Delivery.filter(id=delivery_id, status=status, attempts=attempts).update(
                status=DeliveryStatus.SENDING,
                claimed_until=moment + LEASE,
                attempts=F("attempts") + 1,
            )
            if won:
                claimed.append(delivery_id)
        await asyncio.gather(*(self._attempt(i) for i in claimed))
        return len(due)

    async def _attempt(self, delivery_id: int) -> None:
        async with self._limit:
            delivery = await Delivery.get(id=delivery_id).prefetch_related("channel", "event")
            code: int | None = None
            try:
                code = await self._send(delivery)
            except DeliveryError as exc:
                await self._failed(delivery, str(exc), exc.status)
                return
            except Exception as exc:  # network errors, SMTP refusals
                await self._failed(delivery, f"{type(exc).__name__}: {exc}", None)
                return
            await Delivery.filter(id=delivery.id, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.DELIVERED,
                delivered_at=now(),
                claimed_until=None,
                last_response_code=code,
                last_error=None,
            )
            self.sent += 1

    async def _failed(self, delivery: Delivery, error: str, code: int | None) -> None:
        self.failed_attempts += 1
        final = delivery.attempts >= self.max_attempts
        await Delivery.filter(id=delivery.id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            next_attempt_at=now() + self.delay(delivery.attempts),
            claimed_until=None,
            last_response_code=code,
            last_error=error[:2000],
        )
        log.info("delivery %s attempt %s failed: %s", delivery.id, delivery.attempts, error)

    async def _send(self, delivery: Delivery) -> int | None:
        channel: DeliveryChannel = delivery.channel
        event = delivery.event
        if channel.kind is ChannelKind.EMAIL:
            await self._send_email(delivery)
            return None
        if channel.kind is ChannelKind.WEBHOOK:
            body = channels.webhook_body(
                delivery.id,
                channels.event_json(
                    event,
                    str(to_global_id("Tenant", event.tenant_id)),
                    encode_cursor(event.sequence),
                ),
            )
            headers = {
                channels.SIGNATURE_HEADER: channels.sign(channel.secret or "", body),
                "Seatgraph-Event": event.kind.value,
                "Seatgraph-Delivery": str(delivery.id),
            }
        elif channel.kind is ChannelKind.SLACK:
            body, headers = channels.slack_body(event), {}
        else:
            body, headers = channels.teams_body(event), {}
        assert self._http is not None
        response = await self._http.post(
            channel.target, content=body, headers={"Content-Type": "application/json", **headers}
        )
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"HTTP {response.status_code}", response.status_code)
        return response.status_code

    async def _send_email(self, delivery: Delivery) -> None:
        if self.smtp is None:
            raise DeliveryError("SMTP_URL is not set: e-mail cannot be sent")
        channel: DeliveryChannel = delivery.channel
        admins = await User.filter(
            tenant_id=delivery.tenant_id, role=Role.ADMINISTRATOR, status=UserStatus.ACTIVE
        ).values_list("email", flat=True)
        recipients = sorted({str(a) for a in admins} | {r for r in channel.target.split(",") if r})
        if not recipients:
            raise DeliveryError("no recipient: the tenant has no active administrator")
        tenant = await Tenant.get(id=delivery.tenant_id)
        await self.smtp.send(
            channels.email_message(
                delivery.event, sender=self.smtp.sender, recipients=recipients, tenant=tenant.name
            )
        )
