"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) as this service speaks it: the
rules where the specification meets the public record, with no I/O.

- A service is a concern category; its ``group`` is the kind of concern it usually files.
- A request's public status is ``open`` or ``closed``; its ``status_notes`` are written here
  from the status, never a person's words (a "public" note is public to the submitter, who
  may have written it, not to the world).
- Dates are whole months, like every other public date (decision 0005, and 0008 for why not
  days): ``requested_datetime`` and ``updated_datetime`` are the first instant of their month,
  and a ``start_date``/``end_date`` window is widened to whole months before it is used, so no
  query can find out more than the month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from oversight.concerns.enums import ConcernStatus, Kind
from oversight.core.periods import Month, Period, PeriodError

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The latest change to what this adapter answers (the discovery document's ``changeset``).
CHANGESET = "2026-11-26T00:00:00Z"
#: The specification's span for a request list, and its default window.
MAX_SPAN = timedelta(days=90)
#: "the first 1000 requests returned, whichever is smallest" (Response Volume).
MAX_REQUESTS = 1000
#: At most this many ids in one ``service_request_id`` list.
MAX_IDS = 100


class Format(StrEnum):
    JSON = "json"
    XML = "xml"


class PublicStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


CLOSED_STATUSES = frozenset(
    {
        ConcernStatus.DISMISSED,
        ConcernStatus.WITHDRAWN,
        ConcernStatus.RESOLVED,
        ConcernStatus.CLOSED,
    }
)


def public_status(status: str) -> PublicStatus:
    return PublicStatus.CLOSED if status in CLOSED_STATUSES else PublicStatus.OPEN


def statuses_of(public: set[PublicStatus]) -> list[str]:
    """The concern statuses behind the public ones asked for, in a stable order."""
    return sorted(s.value for s in ConcernStatus if public_status(s) in public)


_NOTES = {
    ConcernStatus.SUBMITTED: "Received; the commission reviews new concerns within {triage} days.",
    ConcernStatus.TRIAGED: "Reviewed by the commission; the next step is being decided.",
    ConcernStatus.REFERRED: "Referred to {department} for a response.",
    ConcernStatus.RESPONDED: "{department} has responded; the commission is reviewing it.",
    ConcernStatus.UNDER_REVIEW: "Under review by the commission.",
    ConcernStatus.SCHEDULED: "On the agenda of a public commission meeting.",
    ConcernStatus.RESOLVED: "Resolved by the commission.",
    ConcernStatus.CLOSED: "Closed.",
    ConcernStatus.DISMISSED: "Dismissed by the commission.",
    ConcernStatus.WITHDRAWN: "Withdrawn.",
}


def status_notes(
    status: str, disposition: str | None, department: str | None, triage_days: int
) -> str:
    """What the public may read about where a concern stands: generated from its status, its
    disposition (published in the open data too) and its department's name."""
    note = _NOTES[ConcernStatus(status)].format(
        triage=triage_days, department=department or "the police department"
    )
    if disposition and status in CLOSED_STATUSES:
        note += f" Finding: {disposition.replace('_', ' ')}."
    return note


def month_start(at: datetime) -> datetime:
    """The first instant of ``at``'s month (UTC): a public request date."""
    day = at.astimezone(UTC).date().replace(day=1)
    return datetime.combine(day, time.min, tzinfo=UTC)


def w3c(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The W3C note's profile of ISO 8601, down to the second (fractions allowed), or a whole date.
_W3C = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?"
)


def parse_w3c(text: str, name: str) -> datetime:
    """A W3C date-time with a time zone (``2010-01-01T00:00:00Z``), or a date (UTC); a
    ``PeriodError`` naming ``name`` otherwise."""
    value = text.strip()
    if not _W3C.fullmatch(value):
        raise PeriodError(
            name, "must be a W3C date-time with a time zone, e.g. 2010-01-01T00:00:00Z."
        )
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
        # Python reads at most six digits of a fraction; more add nothing here.
        trimmed = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
        return datetime.fromisoformat(trimmed).astimezone(UTC)
    except (ValueError, OverflowError):
        raise PeriodError(name, f"is not a real date and time: {value}.") from None


def window(start: str | None, end: str | None, now: datetime) -> tuple[Month, ...]:
    """``start_date`` and ``end_date`` as the specification defines them (at most 90 days
    apart; the 90 days up to now when neither is given; one alone: 90 days from or to it),
    then widened to whole months, never past the current month: the months, newest first."""
    lower = parse_w3c(start, "start_date") if start else None
    upper = parse_w3c(end, "end_date") if end else None
    if lower is None and upper is None:
        upper = now
    if lower is None and upper is not None:
        lower = _shifted(upper, -MAX_SPAN)
    if upper is None and lower is not None:
        upper = min(_shifted(lower, MAX_SPAN), max(now, lower))
    if lower is None or upper is None:  # both set above; for the type checker
        raise PeriodError("start_date", "could not be read.")
    if lower > upper:
        raise PeriodError("start_date", "must not be after end_date.")
    if upper - lower > MAX_SPAN:
        raise PeriodError("end_date", "may not be more than 90 days after start_date.")
    current = Month.of(now.astimezone(UTC).date())
    first = Month.of(lower.date())
    last = min(Month.of(upper.date()), current)
    if first > last or first.year < 1:
        return ()
    return tuple(reversed(list(Period(first, last).months)))


def _shifted(at: datetime, by: timedelta) -> datetime:
    """``at + by``, held within the years datetime can write (0001 to 9999)."""
    try:
        return at + by
    except OverflowError:
        return (
            datetime.max.replace(tzinfo=UTC)
            if by > timedelta(0)
            else datetime.min.replace(tzinfo=UTC)
        )


@dataclass(frozen=True)
class Attribute:
    """One attribute of every service's definition."""

    code: str
    datatype: str
    required: bool
    order: int
    description: str
    datatype_description: str | None = None
    values: tuple[tuple[str, str], ...] = ()


KIND_NAMES = {
    Kind.COMPLAINT: "A complaint about police conduct",
    Kind.COMMENDATION: "A commendation of an officer or a unit",
    Kind.POLICY_CONCERN: "A concern about a police policy or practice",
    Kind.INQUIRY: "A question for the commission",
}

ATTRIBUTES = (
    Attribute(
        "kind",
        "singlevaluelist",
        False,  # a client that sends no attributes (most do not) files the service's group
        1,
        "What kind of concern this is; the service's group when left out.",
        values=tuple((kind.value, KIND_NAMES[kind]) for kind in Kind),
    ),
    Attribute(
        "occurred_at",
        "datetime",
        False,
        2,
        "When it happened, if it was an event.",
        "A W3C date-time with a time zone, e.g. 2026-11-05T13:15:30Z.",
    ),
    Attribute(
        "officer_badge",
        "string",
        False,
        3,
        "The badge number of the officer concerned, if known.",
        "At most 32 characters.",
    ),
)
ATTRIBUTE_CODES = frozenset(a.code for a in ATTRIBUTES)


def summary_of(description: str) -> str:
    """A concern's summary from an Open311 description: its first line, cut at a word
    within 200 characters."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if len(first) <= 200:
        return first
    cut = first[:199].rsplit(" ", 1)[0] or first[:199]
    return cut.rstrip() + "…"
