"""Concern vocabulary and rules that need no database: dispositions, priorities, codes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum


class Kind(StrEnum):
    COMPLAINT = "complaint"
    COMMENDATION = "commendation"
    POLICY_CONCERN = "policy_concern"
    INQUIRY = "inquiry"


class ConcernStatus(StrEnum):
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    DISMISSED = "dismissed"
    WITHDRAWN = "withdrawn"
    REFERRED = "referred"
    RESPONDED = "responded"
    UNDER_REVIEW = "under_review"
    SCHEDULED = "scheduled"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Channel(StrEnum):
    """How a concern reached the commission."""

    WEB = "web"
    PHONE = "phone"
    EMAIL = "email"
    MAIL = "mail"
    WALK_IN = "walk_in"
    OPEN311 = "open311"


#: What commission staff record when they enter a concern taken for a resident. ``web`` is a
#: resident's own submission; ``open311`` is set by the 311 gateway, never chosen by a person.
STAFF_CHANNELS = frozenset({Channel.PHONE, Channel.EMAIL, Channel.MAIL, Channel.WALK_IN})


#: The statuses in which a stage clock runs (triage while submitted, the department's response
#: while referred): only these have a deadline, and so only these can be overdue.
CLOCK_RUNS = frozenset({ConcernStatus.SUBMITTED, ConcernStatus.REFERRED})

#: Where no stage clock runs, the due-date sort key: after every real deadline.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


#: Stored as a number, most urgent lowest, so that "most urgent first, then oldest first" is
#: one ascending index scan (a mixed-direction sort could not use the index for keyset pages).
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
PRIORITY_BY_RANK = {rank: priority for priority, rank in PRIORITY_RANK.items()}


class Finding(StrEnum):
    SUSTAINED = "sustained"
    NOT_SUSTAINED = "not_sustained"
    EXONERATED = "exonerated"
    UNFOUNDED = "unfounded"
    POLICY_FAILURE = "policy_failure"
    MEDIATED = "mediated"
    ACKNOWLEDGED = "acknowledged"
    NO_FINDING = "no_finding"


#: Highest first: a complaint's disposition is its most serious finding.
FINDING_RANK: tuple[Finding, ...] = (
    Finding.SUSTAINED,
    Finding.POLICY_FAILURE,
    Finding.NOT_SUSTAINED,
    Finding.UNFOUNDED,
    Finding.EXONERATED,
    Finding.MEDIATED,
    Finding.NO_FINDING,
    Finding.ACKNOWLEDGED,
)


def disposition_from_findings(findings: Iterable[Finding]) -> Finding:
    """The highest-ranked finding. Needs at least one."""
    return min(findings, key=FINDING_RANK.index)


class ActionTaken(StrEnum):
    NONE = "none"
    TRAINING = "training"
    COUNSELING = "counseling"
    DISCIPLINE = "discipline"
    POLICY_CHANGE = "policy_change"
    OTHER = "other"


class NoteVisibility(StrEnum):
    INTERNAL = "internal"
    PUBLIC = "public"


# Crockford's base32 without I, L, O, U: easy to read aloud and to type.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE = re.compile(r"^OC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_tracking_code() -> str:
    """``OC-XXXX-XXXX-XXXX``: 12 symbols of 5 bits, 60 bits from the OS's CSPRNG."""
    bits = int.from_bytes(secrets.token_bytes(8), "big") >> 4  # one call, not twelve
    symbols = "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(55, -1, -5))
    return f"OC-{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def normalize_tracking_code(raw: str) -> str | None:
    """Case-insensitive, forgiving of O/0 and I/L/1 mix-ups and missing dashes; None if invalid."""
    compact = re.sub(r"[\s-]", "", raw.upper())
    if compact.startswith("OC"):
        compact = compact[2:]
    compact = compact.translate(_CONFUSABLE)
    if len(compact) != 12:
        return None
    code = f"OC-{compact[:4]}-{compact[4:8]}-{compact[8:]}"
    return code if _CODE.match(code) else None


class DisciplineLevel(StrEnum):
    """What discipline may be recommended or imposed, least to most severe (the order
    ``discipline_outcome`` compares)."""

    NONE = "none"
    TRAINING = "training"
    COUNSELING = "counseling"
    WRITTEN_REPRIMAND = "written_reprimand"
    SUSPENSION = "suspension"
    DEMOTION = "demotion"
    TERMINATION = "termination"


class DisciplineOutcome(StrEnum):
    PENDING = "pending"
    CONCURRED = "concurred"
    DEPARTED_LOWER = "departed_lower"
    DEPARTED_HIGHER = "departed_higher"


#: A concern's findings are final once it is resolved (during review they may still change).
FINDINGS_FINAL = frozenset({ConcernStatus.RESOLVED, ConcernStatus.CLOSED})
#: The findings that carry discipline.
DISCIPLINE_FINDINGS = frozenset({Finding.SUSTAINED, Finding.POLICY_FAILURE})
_SEVERITY = {level: rank for rank, level in enumerate(DisciplineLevel)}


def discipline_outcome(
    recommended: str, recommended_days: int | None, imposed: str | None, imposed_days: int | None
) -> DisciplineOutcome:
    """The department's decision against the commission's recommendation: by level, and by the
    days of a suspension when both are suspensions; pending until the department decides."""
    if imposed is None:
        return DisciplineOutcome.PENDING
    given = (_SEVERITY[DisciplineLevel(imposed)], imposed_days or 0)
    asked = (_SEVERITY[DisciplineLevel(recommended)], recommended_days or 0)
    if given == asked:
        return DisciplineOutcome.CONCURRED
    return DisciplineOutcome.DEPARTED_LOWER if given < asked else DisciplineOutcome.DEPARTED_HIGHER
