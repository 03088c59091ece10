"""Webhooks and e-mail: what a subscription names, when a failed delivery is tried again, when
an endpoint is given up on, what a message is about and in which language. No database, no
network."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from oversight.core.events import AuditAction


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class MessageStatus(StrEnum):
    """An e-mail in the outbox: ``skipped`` when its recipient had unsubscribed."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class MessageKind(StrEnum):
    """What an e-mail says: a status change with a public note (to the submitter), the
    department's response (to the submitter), a referral (to the department's officers:
    category and due date only)."""

    STATUS = "status"
    RESPONSE = "response"
    REFERRAL = "referral"


class Locale(StrEnum):
    EN = "en"
    ES = "es"


#: After the n-th failed attempt, the wait before the next one; after the last, ``failed``.
#: Exponential, capped at 6 hours: 13 attempts over about a day (25 h 10 min in all).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=3),
    timedelta(hours=4),
    timedelta(hours=4),
    timedelta(hours=4),
    timedelta(hours=6),
)
#: An endpoint that has answered nothing but failures for this long is disabled.
DISABLE_AFTER = timedelta(days=3)
#: A request to an endpoint gives up after this long.
SEND_TIMEOUT_SECONDS = 10


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after ``attempts`` failed attempts, or None: give up."""
    return RETRY_DELAYS[attempts - 1] if 1 <= attempts <= len(RETRY_DELAYS) else None


ACTIONS = frozenset(action.value for action in AuditAction)
PREFIXES = frozenset(action.split(".", 1)[0] for action in ACTIONS)


def pattern_of(name: str) -> tuple[str, bool] | None:
    """An event name as a subscription stores it: ``("concern.transition", False)`` for an
    action, ``("concern.", True)`` for ``concern.*``; None if it names nothing."""
    if name in ACTIONS:
        return name, False
    prefix = name.removesuffix(".*")
    if name.endswith(".*") and prefix in PREFIXES:
        return f"{prefix}.", True
    return None
