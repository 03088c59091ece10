"""Webhook endpoints, what each subscribes to, the outbox of deliveries and of e-mails, and
the addresses that unsubscribed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of
from oversight.notifications.enums import DeliveryStatus, Locale, MessageKind, MessageStatus


class Webhook(HasId, Base):
    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    #: ``whsec_`` and base64 of 32 random bytes: shown once, kept to sign.
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    #: Since when every attempt has failed (None after a success).
    failing_since: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookSubscription(Base):
    """One event name a webhook asked for: an action (``concern.transition``) or a prefix
    (``concern.``, from ``concern.*``). Matched in SQL when a change commits."""

    __tablename__ = "webhook_subscriptions"

    webhook_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True
    )
    pattern: Mapped[str] = mapped_column(String(64), primary_key=True)
    is_prefix: Mapped[bool] = mapped_column(Boolean)


class Delivery(HasId, Base):
    """One audit event for one webhook: written in the transaction that writes the event,
    sent by ``oversight worker``. Its id is the ``webhook-id`` header, the same on every
    attempt, so that a receiver can drop a repeat."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint(one_of("status", DeliveryStatus), name="status"),
        # The worker's queue: due pending deliveries, soonest first.
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_deliveries_webhook_id_created_at_id", "webhook_id", "created_at", "id"),
    )

    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    #: The audit event (its ``id``; no foreign key: the log is append-only and keyed by seq).
    event_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime]
    #: Held by a worker until then; after it, another worker may take the delivery.
    claimed_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(HasId, Base):
    """An e-mail in the outbox: written in the transaction of the change it tells of, sent by
    ``oversight worker`` (SMTP, or a file in ``MAIL_DIR`` when no ``SMTP_URL`` is set)."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(one_of("status", MessageStatus), name="status"),
        CheckConstraint(one_of("kind", MessageKind), name="kind"),
        CheckConstraint(one_of("locale", Locale), name="locale"),
        Index("ix_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    recipient: Mapped[str] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(20))
    #: What the message says (a status, a tracking code, a category and due date), no more.
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Unsubscribe(Base):
    """An address that asked for no more messages (RFC 8058 one-click)."""

    __tablename__ = "unsubscribes"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
