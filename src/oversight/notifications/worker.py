"""``oversight worker``: sends the outbox's webhook deliveries and e-mails.

Each round claims a batch of due deliveries in one short transaction (on PostgreSQL
``FOR UPDATE SKIP LOCKED``, so that several workers take different ones), sends them, and
records each result in a second transaction. The lease rule (decision 0007): every send has a
deadline (``send_seconds`` for a webhook, its name's resolution included; ``mail_seconds`` for
an e-mail); a claim's lease is the worst case of what it claims (``webhook_lease``,
``mail_lease``) and a margin; a send that the lease no longer covers is not started (the row is
let go, untried); a result is recorded only where the claim still holds (``claimed_until`` is
the claim's token): a late one lands if nobody took the row over, and is dropped if somebody
did. After the lease a dead worker's rows are due again. A delivery is sent at least once; its
id is the ``webhook-id`` header, the same on every attempt, so that a receiver drops repeats. A
failure is tried again after ``RETRY_DELAYS``, then ``failed``; an endpoint that has failed for
``DISABLE_AFTER`` is disabled (audited, by the service itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib
import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook as Signer

from oversight.core import background
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.models import AuditEvent
from oversight.notifications import destinations, messages, webhooks
from oversight.notifications.destinations import PinnedTransport, Resolve, system_resolve
from oversight.notifications.enums import (
    SEND_TIMEOUT_SECONDS,
    DeliveryStatus,
    MessageStatus,
    retry_delay,
)
from oversight.notifications.models import Delivery, Message, Unsubscribe, Webhook
from oversight.notifications.outbox import payload

log = logging.getLogger("oversight.worker")

#: The deadline of one e-mail, all its SMTP commands together (each has SMTP_COMMAND_SECONDS).
MAIL_SECONDS = 30.0
#: E-mails claimed at once: they are sent one after another, so the lease grows with them.
MAIL_BATCH = 4
#: Added to every lease: the recording transaction, clocks of two hosts that differ a little.
MARGIN_SECONDS = 5.0


@dataclass
class Outcome:
    delivery_id: uuid.UUID
    webhook_id: uuid.UUID
    #: Attempts before this one, as read when the delivery was claimed.
    attempts: int
    status_code: int | None
    error: str | None
    #: Not tried: the lease would have ended before the send's deadline.
    released: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Worker:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        batch: int = 100,
        concurrency: int = 8,
        resolve: Resolve = system_resolve,
        mail_batch: int = MAIL_BATCH,
        send_seconds: float = SEND_TIMEOUT_SECONDS,
        mail_seconds: float = MAIL_SECONDS,
        margin_seconds: float = MARGIN_SECONDS,
    ) -> None:
        self.settings = settings
        self.database = database
        self.batch, self.mail_batch, self.concurrency = batch, mail_batch, concurrency
        self.send_seconds, self.mail_seconds = send_seconds, mail_seconds
        self.margin_seconds = margin_seconds
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

    def webhook_lease(self) -> timedelta:
        """A batch's worst case: ``concurrency`` sends at a time, each within its deadline
        (the last one starts when the others have taken every slot as long as they may)."""
        rounds = 1 + math.ceil((self.batch - 1) / self.concurrency)
        return timedelta(seconds=self.margin_seconds + rounds * self.send_seconds)

    def mail_lease(self) -> timedelta:
        """A batch of e-mails' worst case: one after another, each within its deadline."""
        return timedelta(seconds=self.margin_seconds + self.mail_batch * self.mail_seconds)

    def _covers(self, until: datetime, seconds: float) -> bool:
        """Whether a send started now ends, at its deadline, before the lease does."""
        return utcnow() + timedelta(seconds=seconds) <= until

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
        """Claim, send and record one batch of webhook deliveries and one of e-mails, then run
        the areas' background tasks (``core.background``); how many it handled."""
        now = utcnow()
        until = now + self.webhook_lease()
        handled = 0
        claimed = await self._claim(now, until)
        if claimed:
            outcomes = await asyncio.gather(*(self._send(row, until) for row in claimed))
            await self._record(outcomes, until)
            handled += sum(not item.released for item in outcomes)
        now = utcnow()
        handled += await self._mail(now, now + self.mail_lease())
        for task in background.TASKS:  # what other areas left for the worker
            try:
                handled += await task(self.database)
            except Exception:  # one area's failure does not stop the others' tasks
                log.exception("background task %s failed", task.__qualname__)
        return handled

    async def _claim_ids(
        self,
        session: AsyncSession,
        table: type[Delivery] | type[Message],
        pending: str,
        now: datetime,
        until: datetime,
        limit: int,
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
            .limit(limit)
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
        them in turn), each recorded; an address that unsubscribed meanwhile is skipped. Those
        the lease no longer covers are let go; how many were handled."""
        async with self.database.unit_of_work() as session:
            ids = await self._claim_ids(
                session, Message, MessageStatus.PENDING, now, until, self.mail_batch
            )
            if not ids:
                return 0
            claimed = list(
                await session.scalars(
                    select(Message).where(Message.id.in_(ids)).order_by(Message.next_attempt_at)
                )
            )
            unsubscribed = set(
                await session.scalars(
                    select(Unsubscribe.email).where(
                        Unsubscribe.email.in_({m.recipient for m in claimed})
                    )
                )
            )
        for done, message in enumerate(claimed):
            if not self._covers(until, self.mail_seconds):
                await self._release(Message, [m.id for m in claimed[done:]], until)
                return done
            values = await self._send_mail(message, message.recipient in unsubscribed)
            async with self.database.unit_of_work() as session:
                await session.execute(
                    update(Message)
                    .where(Message.id == message.id, Message.claimed_until == until)
                    .values(claimed_until=None, updated_at=utcnow(), **values)
                    .execution_options(synchronize_session=False)
                )
        return len(claimed)

    async def _send_mail(self, message: Message, unsubscribed: bool) -> dict[str, Any]:
        """One e-mail, within ``mail_seconds``: the columns that record how it went."""
        if unsubscribed:
            return {"status": MessageStatus.SKIPPED}
        values: dict[str, Any] = {"attempts": message.attempts + 1}
        try:
            async with asyncio.timeout(self.mail_seconds):
                await messages.send(
                    self.settings, messages.compose(self.settings, message), str(message.id)
                )
            return values | {"status": MessageStatus.SENT, "sent_at": utcnow()}
        except (OSError, aiosmtplib.SMTPException) as exc:  # TimeoutError is an OSError
            error = str(exc) or f"no answer within {self.mail_seconds:g} s"
            values["last_error"] = f"{type(exc).__name__}: {error}"[:500]
        delay = retry_delay(message.attempts + 1)
        if delay is None:
            return values | {"status": MessageStatus.FAILED}
        return values | {"next_attempt_at": utcnow() + delay}

    async def _release(
        self, table: type[Delivery] | type[Message], ids: list[uuid.UUID], until: datetime
    ) -> None:
        """Let rows go untried, where this claim still holds: due again at once."""
        if not ids:
            return
        async with self.database.unit_of_work() as session:
            await session.execute(
                update(table)
                .where(table.id.in_(ids), table.claimed_until == until)
                .values(claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    async def _claim(self, now: datetime, until: datetime) -> list[Any]:
        async with self.database.unit_of_work() as session:
            ids = await self._claim_ids(
                session, Delivery, DeliveryStatus.PENDING, now, until, self.batch
            )
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

    async def _send(self, row: Any, until: datetime) -> Outcome:
        """One delivery, its name's resolution and check included, within ``send_seconds``;
        not started (released) if the lease would end first."""
        facts = (row.delivery_id, row.webhook_id, row.attempts)
        async with self.limit:
            if not self._covers(until, self.send_seconds):
                return Outcome(*facts, None, None, released=True)
            try:
                async with asyncio.timeout(self.send_seconds):
                    return Outcome(*facts, *await self._post(row))
            except TimeoutError:
                return Outcome(*facts, None, f"no answer within {self.send_seconds:g} s")

    async def _post(self, row: Any) -> tuple[int | None, str | None]:
        """The request to the checked address: its status code, or why there is none."""
        destination = await destinations.check(row.url, self.settings, self.resolve, pin=True)
        if isinstance(destination, str):
            return None, f"refused: the URL {destination}"
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
        try:
            with destinations.pinned(destination):
                response = await self.client.post(row.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        return response.status_code, None if response.is_success else response.text[:200]

    async def _record(self, outcomes: list[Outcome], until: datetime) -> None:
        """Each result, where this worker's claim still holds: the successes together, each
        failure with its next attempt (or ``failed``)."""
        now = utcnow()
        delivered = [item for item in outcomes if item.ok]
        failed = [item for item in outcomes if not (item.ok or item.released)]
        common: dict[str, Any] = {"claimed_until": None, "updated_at": now}
        await self._release(
            Delivery, [item.delivery_id for item in outcomes if item.released], until
        )
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
                await webhooks.failing(session, webhook_id, now)
