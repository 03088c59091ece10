"""Webhook endpoints (admin): create with a secret shown once, change, delete, their
deliveries, and a retry; and the e-mail outbox's state. Every change is audited; the secret
never is."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts import policy as account_policy
from oversight.accounts.policy import AdminAction
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.errors import NotFound, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.models import AuditEvent
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize, bump, load_row, record_change
from oversight.core.rfc3339 import format_at
from oversight.core.roles import Actor
from oversight.notifications import destinations
from oversight.notifications.enums import DISABLE_AFTER, DeliveryStatus, MessageStatus, pattern_of
from oversight.notifications.models import Delivery, Message, Webhook, WebhookSubscription
from oversight.notifications.schemas import WebhookCreate, WebhookUpdate

MISSING = "No such webhook."
_NEWEST = (SortKey(Webhook.created_at, descending=True), SortKey(Webhook.id, descending=True))
_DELIVERIES_NEWEST = (
    SortKey(Delivery.created_at, descending=True),
    SortKey(Delivery.id, descending=True),
)


def _may(actor: Actor) -> None:
    authorize(account_policy.administration(actor.role, AdminAction.MANAGE_WEBHOOKS))


async def unsafe_url(url: str, settings: Settings) -> str | None:
    """Why ``url`` may not receive webhooks, or None (``notifications.destinations``: in
    production only https to public addresses, however the name resolves). The worker checks
    again before each send, and connects to the addresses it checked."""
    checked = await destinations.check(url, settings)
    return checked if isinstance(checked, str) else None


async def _check_url(url: str, settings: Settings) -> None:
    if reason := await unsafe_url(url, settings):
        raise Unprocessable(f"The webhook URL {reason}.", loc=("body", "url"))


async def _events_of(
    session: AsyncSession, webhook_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    rows = await session.execute(
        select(WebhookSubscription).where(WebhookSubscription.webhook_id.in_(webhook_ids))
    )
    events: dict[uuid.UUID, list[str]] = {webhook_id: [] for webhook_id in webhook_ids}
    for (subscription,) in rows:
        name = f"{subscription.pattern}*" if subscription.is_prefix else subscription.pattern
        events[subscription.webhook_id].append(name)
    return {webhook_id: sorted(names) for webhook_id, names in events.items()}


def _view(webhook: Webhook, events: list[str]) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "description": webhook.description,
        "events": events,
        "enabled": webhook.enabled,
        "disabled_reason": webhook.disabled_reason,
        "failing_since": webhook.failing_since,
        "version": webhook.version,
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
    }


async def _subscribe(session: AsyncSession, webhook_id: uuid.UUID, events: list[str]) -> None:
    await session.execute(
        delete(WebhookSubscription).where(WebhookSubscription.webhook_id == webhook_id)
    )
    for name in events:
        pattern, is_prefix = pattern_of(name) or (name, False)
        session.add(
            WebhookSubscription(webhook_id=webhook_id, pattern=pattern, is_prefix=is_prefix)
        )


async def create(
    session: AsyncSession, settings: Settings, actor: Actor, data: WebhookCreate
) -> dict[str, Any]:
    _may(actor)
    await _check_url(data.url, settings)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    now = utcnow()
    webhook = Webhook(
        url=data.url, description=data.description, secret=secret, created_at=now, updated_at=now
    )
    session.add(webhook)
    await session.flush()
    await _subscribe(session, webhook.id, data.events)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.WEBHOOK_CREATED,
        entity_type=EntityType.WEBHOOK,
        entity_id=webhook.id,
        data={"url": webhook.url, "events": data.events},
    )
    return _view(webhook, data.events) | {"secret": secret}


async def page(
    session: AsyncSession, actor: Actor, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    _may(actor)
    rows, next_cursor = await keyset_page(
        session, select(Webhook), _NEWEST, limit=limit, cursor=cursor
    )
    events = await _events_of(session, [w.id for w in rows])
    return [_view(w, events[w.id]) for w in rows], next_cursor


async def read(session: AsyncSession, actor: Actor, webhook_id: uuid.UUID) -> dict[str, Any]:
    _may(actor)
    webhook = await load_row(session, Webhook, webhook_id, missing=MISSING)
    return _view(webhook, (await _events_of(session, [webhook.id]))[webhook.id])


async def change(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    webhook_id: uuid.UUID,
    data: WebhookUpdate,
) -> dict[str, Any]:
    _may(actor)
    webhook = await load_row(session, Webhook, webhook_id, missing=MISSING, for_update=True)
    changed: dict[str, Any] = {}
    if data.url is not None and data.url != webhook.url:
        await _check_url(data.url, settings)
        webhook.url = changed["url"] = data.url
    if "description" in data.model_fields_set and data.description != webhook.description:
        webhook.description = changed["description"] = data.description
    if data.enabled is not None and data.enabled != webhook.enabled:
        webhook.enabled = changed["enabled"] = data.enabled
        webhook.disabled_reason = None
        webhook.failing_since = None
    events = (await _events_of(session, [webhook.id]))[webhook.id]
    if data.events is not None and data.events != events:
        await _subscribe(session, webhook.id, data.events)
        events = changed["events"] = data.events
    if changed:
        await record_change(
            session,
            actor,
            webhook,
            EntityType.WEBHOOK,
            AuditAction.WEBHOOK_CHANGED,
            data={"changed": sorted(changed), "url": webhook.url, "events": events},
        )
    return _view(webhook, events)


async def remove(session: AsyncSession, actor: Actor, webhook_id: uuid.UUID) -> None:
    """The endpoint, its subscriptions and its deliveries (the audit log keeps the events)."""
    _may(actor)
    webhook = await load_row(session, Webhook, webhook_id, missing=MISSING, for_update=True)
    await session.execute(delete(Delivery).where(Delivery.webhook_id == webhook.id))
    await session.delete(webhook)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.WEBHOOK_DELETED,
        entity_type=EntityType.WEBHOOK,
        entity_id=webhook_id,
        data={"url": webhook.url},
    )


_DELIVERY_COLUMNS = (*Delivery.__table__.columns, AuditEvent.action)


def _delivery_view(row: Any) -> dict[str, Any]:
    return {
        key: row[key]
        for key in (
            "id",
            "webhook_id",
            "event_id",
            "action",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
        )
    }


async def deliveries(
    session: AsyncSession,
    actor: Actor,
    webhook_id: uuid.UUID,
    *,
    status: DeliveryStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A webhook's deliveries, newest first, with the action each carries."""
    _may(actor)
    await load_row(session, Webhook, webhook_id, missing=MISSING)
    stmt = (
        select(*_DELIVERY_COLUMNS)
        .outerjoin(AuditEvent, AuditEvent.id == Delivery.event_id)
        .where(Delivery.webhook_id == webhook_id)
    )
    if status is not None:
        stmt = stmt.where(Delivery.status == status)
    rows, next_cursor = await keyset_page(
        session, stmt, _DELIVERIES_NEWEST, limit=limit, cursor=cursor, columns=True
    )
    return [_delivery_view(row) for row in rows], next_cursor


async def retry(
    session: AsyncSession, actor: Actor, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> dict[str, Any]:
    """Send a delivery again now (a failed one too), with its attempts counted afresh."""
    _may(actor)
    missing = "No such delivery of this webhook."
    delivery = await load_row(session, Delivery, delivery_id, missing=missing, for_update=True)
    if delivery.webhook_id != webhook_id:
        raise NotFound(missing)
    now = utcnow()
    previous = delivery.status
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    # A live claim is left alone: the worker sending it now records its result; letting the
    # claim go would let a second worker send it at the same time (decision 0007).
    delivery.updated_at = now
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.WEBHOOK_DELIVERY_RETRIED,
        entity_type=EntityType.WEBHOOK,
        entity_id=webhook_id,
        from_status=previous,
        to_status=DeliveryStatus.PENDING,
        data={"delivery_id": delivery.id},
    )
    row = (
        (
            await session.execute(
                select(*_DELIVERY_COLUMNS)
                .outerjoin(AuditEvent, AuditEvent.id == Delivery.event_id)
                .where(Delivery.id == delivery.id)
            )
        )
        .mappings()
        .one()
    )
    return _delivery_view(row)


_MESSAGES_NEWEST = (
    SortKey(Message.created_at, descending=True),
    SortKey(Message.id, descending=True),
)
_MESSAGE_FIELDS = (
    "id",
    "recipient",
    "kind",
    "locale",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "sent_at",
    "created_at",
)


async def messages(
    session: AsyncSession,
    actor: Actor,
    *,
    status: MessageStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The e-mail outbox, newest first: each message's state (admins)."""
    _may(actor)
    stmt = select(*(getattr(Message, name) for name in _MESSAGE_FIELDS))
    if status is not None:
        stmt = stmt.where(Message.status == status)
    rows, next_cursor = await keyset_page(
        session, stmt, _MESSAGES_NEWEST, limit=limit, cursor=cursor, columns=True
    )
    return [dict(row) for row in rows], next_cursor


async def failing(session: AsyncSession, webhook_id: uuid.UUID, now: datetime) -> None:
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
    bump(session, webhook, EntityType.WEBHOOK, now)
    await session.flush()
    await audit.record(
        session,
        actor=audit.SYSTEM,
        action=AuditAction.WEBHOOK_DISABLED,
        entity_type=EntityType.WEBHOOK,
        entity_id=webhook.id,
        data={"url": webhook.url, "failing_since": webhook.failing_since},
    )
