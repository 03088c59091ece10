"""The outbox: the deliveries an audit event causes, written in the transaction that writes the
event, so that a change and its deliveries are committed together or not at all.
``oversight worker`` sends them (``oversight.notifications.worker``).

The rule: a pending delivery of each event to each enabled webhook subscribed to its action
(exactly, or by prefix for ``concern.*``), one per webhook. On PostgreSQL ``audit_append``
applies it in the same call that appends the events (migration 20261126_11: no round trip of
its own); on SQLite the audit writer runs ``stage`` just before it appends."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    String,
    Uuid,
    and_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
)

from oversight.core.rfc3339 import format_at
from oversight.notifications.enums import DeliveryStatus
from oversight.notifications.models import Delivery, Webhook, WebhookSubscription

_TIME = Delivery.__table__.c.created_at.type
_ACTION: BindParameter[str] = bindparam("action", type_=String())


def _stage() -> Any:
    at = bindparam("at", type_=_TIME)
    subscribed = or_(
        and_(WebhookSubscription.is_prefix.is_(False), WebhookSubscription.pattern == _ACTION),
        and_(
            WebhookSubscription.is_prefix.is_(True),
            func.substr(_ACTION, 1, func.length(WebhookSubscription.pattern))
            == WebhookSubscription.pattern,
        ),
    )
    wanted = (
        select(
            func.lower(func.hex(func.randomblob(16))),  # a UUID as SQLite keeps one
            Webhook.id,
            bindparam("event_id", type_=Uuid()),
            literal(DeliveryStatus.PENDING.value),
            literal_column("0"),
            at,
            at,
            at,
        )
        .join(WebhookSubscription, WebhookSubscription.webhook_id == Webhook.id)
        .where(Webhook.enabled.is_(True), subscribed)
        .group_by(Webhook.id)  # one delivery per webhook, however many of its names match
    )
    columns = ["id", "webhook_id", "event_id", "status", "attempts", "next_attempt_at"]
    return insert(Delivery).from_select([*columns, "created_at", "updated_at"], wanted)


_STAGE = _stage()


def stage(connection: Connection, events: Sequence[Mapping[str, Any]]) -> None:
    """SQLite: the events' deliveries, one statement per event whatever the number of
    webhooks."""
    connection.execute(
        _STAGE,
        [{"action": e["action"], "event_id": e["id"], "at": e["at"]} for e in events],
    )


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
