"""Webhooks and their deliveries (admin)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from oversight.core.schemas import In, Out
from oversight.notifications.enums import (
    DeliveryStatus,
    Locale,
    MessageKind,
    MessageStatus,
    pattern_of,
)

WebhookUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
EventNames = Annotated[
    list[Annotated[str, StringConstraints(max_length=64)]],
    Field(
        min_length=1,
        max_length=50,
        description="Audit actions (`concern.transition`) or a resource's every action "
        "(`concern.*`).",
    ),
]


class _Events(In):
    @field_validator("events", check_fields=False)
    @classmethod
    def _known(cls, events: list[str] | None) -> list[str] | None:
        if events is None:
            return None
        unknown = [name for name in events if pattern_of(name) is None]
        if unknown:
            raise ValueError(f"unknown event name: {', '.join(unknown)}")
        return sorted(set(events))


class WebhookCreate(_Events):
    url: WebhookUrl
    events: EventNames
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )


class WebhookUpdate(_Events):
    url: WebhookUrl | None = None
    events: EventNames | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )
    enabled: bool | None = Field(
        default=None, description="`true` turns a disabled endpoint on again."
    )


class WebhookOut(Out):
    id: uuid.UUID
    url: str
    description: str | None
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="`whsec_...`: verify each request's `webhook-signature` with it. Shown "
        "only in this answer."
    )


class DeliveryOut(BaseModel):
    id: uuid.UUID = Field(description="The `webhook-id` header, the same on every attempt.")
    webhook_id: uuid.UUID
    event_id: uuid.UUID
    action: str | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class MessageOut(BaseModel):
    """An e-mail in the outbox, as an admin sees it (what it said is not kept readable here)."""

    id: uuid.UUID
    recipient: str
    kind: MessageKind
    locale: Locale
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


class Unsubscribed(BaseModel):
    unsubscribed: bool
