"""``oversight worker``: sends the outbox's webhook deliveries and e-mails.

Each round claims a batch of due deliveries in one short transaction (on PostgreSQL
``FOR UPDATE SKIP LOCKED``, so that several workers take different ones; a claim lasts
``CLAIM_SECONDS``, after which a dead worker's deliveries are due again), sends them at once,
and records each result in a second transaction, only where its claim still holds. A delivery
is sent at least once; its id is the ``webhook-id`` header, the same on every attempt, so that a
receiver drops repeats. A failure is tried again after ``RETRY_DELAYS``, then ``failed``; an
endpoint that has failed for ``DISABLE_AFTER`` is disabled (audited, by the service itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib
import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook as Signer

from oversight import audit, destinations, messages
from oversight.config import Settings
from oversight.db import Database, utcnow
from oversight.destinations import PinnedTransport, Resolve, system_resolve
from oversight.domain.events import AuditAction, EntityType
from oversight.domain.notifications import (
    CLAIM_SECONDS,
    DISABLE_AFTER,
    SEND_TIMEOUT_SECONDS,
    DeliveryStatus,
    MessageStatus,
    retry_delay,
)
from oversight.models import AuditEvent, Delivery, Message, Unsubscribe, Webhook
from oversight.rfc3339 import format_at

log = logging.getLogger("oversight.worker")


@dataclass
class Outcome:
    delivery_id: uuid.UUID
    webhook_id: uuid.UUID
    #: Attempts before this one, as read when the delivery was claimed.
    attempts: int
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def payload(event: Any) -> str:
    """The body: the event's public facts, never personal data; a consumer reads more through
    the API with its own credentials."""
    at = format_at(event.at)
    return json.dumps(
        {
            "type": event.action,
            "timestamp": at,
            "data": {
                "seq": event.seq,
                "action": event.action,
                "entity_type": event.entity_type,
                "entity_id": None if event.entity_id is None else str(event.entity_id),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "at": at,
            },
        },
        separators=(",", ":"),
    )


class Worker:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        batch: int = 100,
        concurrency: int = 8,
        resolve: Resolve = system_resolve,
    ) -> None:
        self.settings = settings
        self.database = database
        self.batch = batch
        self.limit = asyncio.Semaphore(concurrency)
        #: How an endpoint's name becomes addresses: once per send, for the check and the
        #: connection both (a test answers differently each time).
        self.resolve = resolve
        # Every connection kept alive: with fewer than the requests in flight, httpx opens and
        # closes connections all the time (measured: 64 at once with 20 kept, 379 requests/s;
        # 8 at once, all kept, 625).
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.client = httpx.AsyncClient(
            timeout=SEND_TIMEOUT_SECONDS,
            follow_redirects=False,
            transport=PinnedTransport(limits),
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Rounds until ``stop``; an empty round waits ``idle_seconds``. A database error
        (PostgreSQL restarting) waits and tries again."""
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:  # the worker outlives a failed round; the claims expire
                log.exception("worker round failed")
                handled = 0
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_seconds)

    async def run_once(self) -> int:
        """Claim, send and record one batch of webhook deliveries and one of e-mails; how many
        it handled."""
        now = utcnow()
        until = now + timedelta(seconds=CLAIM_SECONDS)
        handled = 0
        claimed = await self._claim(now, until)
        if claimed:
            outcomes = await asyncio.gather(*(self._send(row) for row in claimed))
            await self._record(outcomes, until)
            handled += len(outcomes)
        return handled + await self._mail(now, until)

    async def _claim_ids(
        self,
        session: AsyncSession,
        table: type[Delivery] | type[Message],
        pending: str,
        now: datetime,
        until: datetime,
    ) -> list[uuid.UUID]:
        """Claim up to a batch of ``table``'s due pending rows until ``until``: rows another
        worker holds are skipped (PostgreSQL), rows whose claim ran out are due again."""
        due = (
            select(table.id)
            .where(
                table.status == pending,
                table.next_attempt_at <= now,
                (table.claimed_until.is_(None)) | (table.claimed_until < now),
            )
            .order_by(table.next_attempt_at)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        claimed = await session.scalars(
            update(table)
            .where(table.id.in_(due.scalar_subquery()))
            .values(claimed_until=until)
            .returning(table.id)
            .execution_options(synchronize_session=False)
        )
        return list(claimed)

    async def _mail(self, now: datetime, until: datetime) -> int:
        """E-mails: claimed as deliveries are, sent one after another (an SMTP server takes
        them in turn), each recorded; an address that unsubscribed meanwhile is skipped."""
        async with self.database.unit_of_work() as session:
            ids = await self._claim_ids(session, Message, MessageStatus.PENDING, now, until)
            if not ids:
                return 0
            claimed = list(await session.scalars(select(Message).where(Message.id.in_(ids))))
            unsubscribed = set(
                await session.scalars(
                    select(Unsubscribe.email).where(
                        Unsubscribe.email.in_({m.recipient for m in claimed})
                    )
                )
            )
        for message in claimed:
            values: dict[str, Any] = {"claimed_until": None, "updated_at": utcnow()}
            if message.recipient in unsubscribed:
                values["status"] = MessageStatus.SKIPPED
            else:
                try:
                    await messages.send(
                        self.settings, messages.compose(self.settings, message), str(message.id)
                    )
                    values |= {"status": MessageStatus.SENT, "sent_at": utcnow()}
                except (OSError, aiosmtplib.SMTPException) as exc:
                    delay = retry_delay(message.attempts + 1)
                    values["last_error"] = f"{type(exc).__name__}: {exc}"[:500]
                    if delay is None:
                        values["status"] = MessageStatus.FAILED
                    else:
                        values["next_attempt_at"] = utcnow() + delay
                values["attempts"] = message.attempts + 1
            async with self.database.unit_of_work() as session:
                await session.execute(
                    update(Message)
                    .where(Message.id == message.id, Message.claimed_until == until)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        return len(claimed)

    async def _claim(self, now: datetime, until: datetime) -> list[Any]:
        async with self.database.unit_of_work() as session:
            ids = await self._claim_ids(session, Delivery, DeliveryStatus.PENDING, now, until)
            if not ids:
                return []
            rows = await session.execute(
                select(
                    Delivery.id.label("delivery_id"),
                    Delivery.attempts,
                    Webhook.id.label("webhook_id"),
                    Webhook.url,
                    Webhook.secret,
                    AuditEvent.seq,
                    AuditEvent.at,
                    AuditEvent.action,
                    AuditEvent.entity_type,
                    AuditEvent.entity_id,
                    AuditEvent.from_status,
                    AuditEvent.to_status,
                )
                .join(Webhook, Webhook.id == Delivery.webhook_id)
                .join(AuditEvent, AuditEvent.id == Delivery.event_id)
                .where(Delivery.id.in_(ids))
            )
            return list(rows)

    async def _send(self, row: Any) -> Outcome:
        def outcome(status_code: int | None, error: str | None) -> Outcome:
            return Outcome(row.delivery_id, row.webhook_id, row.attempts, status_code, error)

        destination = await destinations.check(row.url, self.settings, self.resolve, pin=True)
        if isinstance(destination, str):
            return outcome(None, f"refused: the URL {destination}")
        body = payload(row)
        sent_at = utcnow()
        message_id = str(row.delivery_id)
        headers = {
            "content-type": "application/json",
            "user-agent": "oversight-webhooks",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Signer(row.secret).sign(message_id, sent_at, body),
        }
        async with self.limit:
            try:
                with destinations.pinned(destination):
                    response = await self.client.post(row.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                return outcome(None, f"{type(exc).__name__}: {exc}"[:500])
        return outcome(response.status_code, None if response.is_success else response.text[:200])

    async def _record(self, outcomes: list[Outcome], until: datetime) -> None:
        """Each result, where this worker's claim still holds: the successes together, each
        failure with its next attempt (or ``failed``)."""
        now = utcnow()
        delivered = [item for item in outcomes if item.ok]
        failed = [item for item in outcomes if not item.ok]
        common: dict[str, Any] = {"claimed_until": None, "updated_at": now}
        async with self.database.unit_of_work() as session:
            by_code: dict[int | None, list[uuid.UUID]] = {}
            for item in delivered:
                by_code.setdefault(item.status_code, []).append(item.delivery_id)
            for code, ids in by_code.items():  # one statement per status code (200, 204...)
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(ids), Delivery.claimed_until == until)
                    .values(
                        attempts=Delivery.attempts + 1,
                        status=DeliveryStatus.DELIVERED,
                        delivered_at=now,
                        last_status_code=code,
                        last_error=None,
                        **common,
                    )
                    .execution_options(synchronize_session=False)
                )
            for item in failed:
                delay = retry_delay(item.attempts + 1)
                following = (
                    {"status": DeliveryStatus.FAILED}
                    if delay is None
                    else {"next_attempt_at": now + delay}
                )
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id == item.delivery_id, Delivery.claimed_until == until)
                    .values(
                        attempts=item.attempts + 1,
                        last_status_code=item.status_code,
                        last_error=item.error,
                        **following,
                        **common,
                    )
                    .execution_options(synchronize_session=False)
                )
            succeeded = {item.webhook_id for item in delivered}
            if succeeded:
                await session.execute(
                    update(Webhook)
                    .where(Webhook.id.in_(succeeded), Webhook.failing_since.is_not(None))
                    .values(failing_since=None)
                    .execution_options(synchronize_session=False)
                )
            for webhook_id in {item.webhook_id for item in failed} - succeeded:
                await self._failing(session, webhook_id, now)

    async def _failing(self, session: Any, webhook_id: uuid.UUID, now: datetime) -> None:
        """An endpoint that failed: since when, and disabled once it has failed for days."""
        webhook = await session.get(Webhook, webhook_id, with_for_update=True)
        if webhook is None or not webhook.enabled:
            return
        if webhook.failing_since is None:
            webhook.failing_since = now
            return
        if now - webhook.failing_since < DISABLE_AFTER:
            return
        webhook.enabled = False
        webhook.disabled_reason = (
            f"Every delivery failed from {format_at(webhook.failing_since)} to {format_at(now)}."
        )
        webhook.version += 1
        webhook.updated_at = now
        await session.flush()
        await audit.record(
            session,
            actor=audit.SYSTEM,
            action=AuditAction.WEBHOOK_DISABLED,
            entity_type=EntityType.WEBHOOK,
            entity_id=webhook.id,
            data={"url": webhook.url, "failing_since": webhook.failing_since},
        )
