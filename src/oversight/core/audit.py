"""The audit log: the only writer of ``audit_events``, and the chain verifier.

Services call :func:`record` in the transaction that makes a change. Events are staged on the
session and appended when that transaction commits (``before_commit``), so the change and its
events are committed together or not at all, and the chain lock is held only for the last
moment of the transaction.

The chain
---------
Events are numbered ``seq`` = 1, 2, 3, ... without gaps, in commit order. Each event's

    hash = lowercase hex of SHA-256( prev_hash + canonical_json(event) )

where ``prev_hash`` is the previous event's ``hash`` (64 ASCII zeros for ``seq`` 1), the
``+`` is plain concatenation of the 64-character ``prev_hash`` (ASCII) and the canonical JSON
(UTF-8), and ``canonical_json(event)`` is the RFC 8785 (JCS) serialisation of a JSON object with
exactly these members:

    seq          integer
    id           string, lowercase UUID with hyphens
    at           string, RFC 3339 UTC with six fractional digits and "Z",
                 e.g. "2026-11-26T02:20:22.123456Z"
    actor_id     string (lowercase UUID) or null
    actor_role   string or null
    action       string, e.g. "concern.transition"
    entity_type  string, e.g. "concern"
    entity_id    string (lowercase UUID) or null
    from_status  string or null
    to_status    string or null
    reason       string or null
    data         JSON object (possibly empty)
    prev_hash    string, 64 lowercase hex digits

JCS sorts members by their UTF-16 code units, writes no insignificant white space, escapes only
what JSON requires and writes numbers as ECMAScript does (so 1.0 is written 1). Anyone holding a
copy of the rows (``GET /audit/events`` serves them with these exact values) can recompute every
hash with a JCS library and SHA-256; ``oversight audit verify`` does exactly that.

Concurrency: on PostgreSQL the append is one call of ``audit_append`` (created by migration
20261126_06): it takes a transaction-scoped advisory lock, reads the head, and inserts the
events, hashing each from the canonical form the application sends in pieces around
``prev_hash`` and ``seq`` (``canonical_pieces``); the lock is released by the commit, so the
next writer reads the new head. A unit of work calls it at ``before_commit`` (``record``
stages); a plain intake calls it through ``concern_submit`` after its INSERT
(``event`` and ``append_arguments``): the lock is always taken last (decision 0004). On
SQLite every write transaction already runs alone (``BEGIN IMMEDIATE``). A unique ``seq`` and
``prev_hash`` make a fork impossible even if that reasoning were wrong: the loser's commit fails.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Concatenate, ParamSpec

import rfc8785
from sqlalchemy import JSON, BigInteger, Text, bindparam, cast, func, insert, select
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from oversight.core.db import OversightSession, utcnow
from oversight.core.events import AuditAction, EntityType
from oversight.core.models import AuditEvent
from oversight.core.rfc3339 import format_at
from oversight.core.roles import Actor
from oversight.notifications import outbox

GENESIS_HASH = "0" * 64
# An arbitrary, fixed key for pg_advisory_xact_lock: "oversigh" as a 64-bit integer.
CHAIN_LOCK_KEY = int.from_bytes(b"oversigh", "big") & 0x7FFF_FFFF_FFFF_FFFF
_PENDING = "oversight.audit.pending"
P = ParamSpec("P")


#: Events whose entity has no UUID to name: a category is keyed by its code (in the data), a
#: fiscal year by its year, and a failed sign-in may be for an e-mail address no account has.
#: Every other event names one.
WITHOUT_ENTITY_ID = frozenset(
    {
        AuditAction.CATEGORY_CREATED,
        AuditAction.SIGN_IN_FAILED,
        # A fiscal year is keyed by its year, operational figures by month (in the data).
        AuditAction.BUDGET_IMPORTED,
        AuditAction.BUDGET_COMMENTS_CHANGED,
        AuditAction.OPERATIONS_IMPORTED,
    }
)
#: References that are empty by design (a user in no department, a concern nobody is assigned
#: to): in event data, null under these keys means "none". Under any other ``*_id`` key it
#: would mean an id read before it existed.
OPTIONAL_REFERENCES = frozenset({"department_id", "assignee_id"})


class UnrecordableEvent(ValueError):
    """An event that would write a missing or placeholder id into the log, which is append-only:
    a programming error, refused before it can be committed."""


class System:
    """The service itself, acting by a rule rather than for a person (a proposal qualifying
    when its supports reach the threshold): ``actor_role`` "system", no ``actor_id``."""

    role = "system"


SYSTEM = System()


@dataclass
class Event:
    actor: Actor | System | None
    action: str
    entity_type: str
    entity_id: uuid.UUID | None
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any] = field(default_factory=dict)


def event(
    *,
    actor: Actor | System | None,
    action: AuditAction,
    entity_type: EntityType,
    entity_id: uuid.UUID | None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """One event, checked. UUIDs and datetimes in ``data`` are written as the chain writes
    them (lowercase, RFC 3339 UTC), enumerations as their values."""
    staged = Event(
        actor,
        action.value,
        entity_type.value,
        entity_id,
        _plain(from_status),
        _plain(to_status),
        reason,
        _plain(data or {}),
    )
    _check_ids(staged)
    # Fail now, in the service, if the data cannot be canonicalised, not later at commit.
    rfc8785.dumps(staged.data)
    return staged


def stage(session: AsyncSession, staged: Event) -> None:
    """Stage an ``event``; it is appended to the chain when the session's transaction
    commits."""
    session.sync_session.info.setdefault(_PENDING, []).append(staged)


def _staging(
    build: Callable[P, Event],
) -> Callable[Concatenate[AsyncSession, P], Coroutine[Any, Any, None]]:
    async def record(session: AsyncSession, /, *args: P.args, **kwargs: P.kwargs) -> None:
        stage(session, build(*args, **kwargs))

    return record


#: ``record(session, **fields)``: ``stage(session, event(**fields))``.
record = _staging(event)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return format_at(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _check_ids(staged: Event) -> None:
    """Refuse an event whose entity id or any id in its data is missing or not a UUID."""
    where = f"audit event {staged.action!r}"
    if staged.entity_id is None:
        if staged.action not in WITHOUT_ENTITY_ID:
            raise UnrecordableEvent(f"{where} names no entity_id")
    elif not isinstance(staged.entity_id, uuid.UUID):
        raise UnrecordableEvent(f"{where}: entity_id {staged.entity_id!r} is not a UUID")
    if problem := _bad_id(staged.data, "data", None):
        raise UnrecordableEvent(f"{where}: {problem}")


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _bad_id(value: Any, path: str, key: str | None) -> str | None:
    """The first id in plain event data that is null (outside ``OPTIONAL_REFERENCES``) or a
    string that is not a UUID (such as "None"), as a message; None when all are real."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in {"None", "null", ""}:
                return f"key {k!r} in {path}"
            if problem := _bad_id(v, f"{path}.{k}", k):
                return problem
        return None
    if isinstance(value, list):
        item_key = key[:-1] if key is not None and key.endswith("_ids") else key
        for i, v in enumerate(value):
            if problem := _bad_id(v, f"{path}[{i}]", item_key):
                return problem
        return None
    if key is None or not (key == "id" or key.endswith("_id")):
        return None
    if value is None:
        return None if key in OPTIONAL_REFERENCES else f"{path} is null"
    if isinstance(value, str) and not _is_uuid(value):
        return f"{path} is {value!r}, not a UUID"
    return None


def _uuid_or_none(value: uuid.UUID | str | None) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, uuid.UUID) else str(uuid.UUID(value))


def json_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event's members as JSON values (the ones it has of seq and prev_hash)."""
    at = row["at"]
    document = {
        "id": _uuid_or_none(row["id"]),
        "at": format_at(at) if isinstance(at, datetime) else at,
        "actor_id": _uuid_or_none(row["actor_id"]),
        "actor_role": row["actor_role"],
        "action": row["action"],
        "entity_type": row["entity_type"],
        "entity_id": _uuid_or_none(row["entity_id"]),
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "reason": row["reason"],
        "data": row["data"] or {},
    }
    if "seq" in row:
        document["seq"] = int(row["seq"])
    if "prev_hash" in row:
        document["prev_hash"] = row["prev_hash"]
    return document


def canonical_event(row: Mapping[str, Any]) -> bytes:
    """The RFC 8785 bytes of an event (a mapping with the members listed above)."""
    return rfc8785.dumps(json_document(row))


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_event(row)).hexdigest()


#: The members of the canonical form before ``prev_hash``, in RFC 8785 (sorted) order.
_BEFORE_PREV_HASH = (
    "action",
    "actor_id",
    "actor_role",
    "at",
    "data",
    "entity_id",
    "entity_type",
    "from_status",
    "id",
)


def _member(name: str, value: Any) -> str:
    return f"{rfc8785.dumps(name).decode()}:{rfc8785.dumps(value).decode()}"


def canonical_pieces(document: Mapping[str, Any]) -> tuple[str, str, str]:
    """An event's canonical form (from its ``json_document``) around the two members only the
    database knows at append: ``head + '"' + prev_hash + '"' + middle + str(seq) + tail``.
    (An object's RFC 8785 form is its members' forms, in key order, joined by commas; these
    keys are ASCII.)"""
    head = ",".join(_member(k, document[k]) for k in _BEFORE_PREV_HASH)
    return (
        "{" + head + ',"prev_hash":',
        "," + _member("reason", document["reason"]) + ',"seq":',
        "," + _member("to_status", document["to_status"]) + "}",
    )


_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)


def _rows(events: Iterable[Event]) -> list[dict[str, Any]]:
    at = utcnow()
    return [
        {
            "id": uuid.uuid4(),
            "at": at,
            "actor_id": item.actor.user_id if isinstance(item.actor, Actor) else None,
            "actor_role": str(item.actor.role) if item.actor else None,
            "action": item.action,
            "entity_type": item.entity_type,
            "entity_id": item.entity_id,
            "from_status": item.from_status,
            "to_status": item.to_status,
            "reason": item.reason,
            "data": item.data,
        }
        for item in events
    ]


def append_arguments(events: Iterable[Event]) -> dict[str, Any]:
    """``audit_append``'s arguments (PostgreSQL): the lock's key, and each event's document
    with its canonical form in the pieces around what only the database knows."""
    documents = []
    for document in map(json_document, _rows(events)):
        head, middle, tail = canonical_pieces(document)
        documents.append({**document, "head": head, "middle": middle, "tail": tail})
    return {"audit_key": CHAIN_LOCK_KEY, "audit_events": json.dumps(documents)}


#: PostgreSQL: append the events of ``append_arguments`` (migrations 20261126_06 and _11).
APPEND = select(
    func.audit_append(
        bindparam("audit_key", type_=BigInteger),
        cast(bindparam("audit_events", type_=Text), JSON),
    )
)


def _append_staged(session: Session) -> None:
    staged: list[Event] = session.info.pop(_PENDING, [])
    if not staged:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # One round trip: the database writes the events' webhook deliveries (the outbox,
        # migration 20261126_11), takes the chain lock, reads the head, numbers and hashes
        # the events (migration 20261126_06). The lock is held until commit, so the less
        # happens after it, the shorter the queue of writers behind it.
        connection.execute(APPEND, append_arguments(staged))
        return
    rows = _rows(staged)
    outbox.stage(connection, rows)  # SQLite: the deliveries, then the events
    found = connection.execute(_HEAD).first()  # the writer holds the database lock
    seq, prev_hash = (found.seq, found.hash) if found else (0, GENESIS_HASH)
    for row in rows:
        seq += 1
        row |= {"seq": seq, "prev_hash": prev_hash}
        row["hash"] = prev_hash = chain_hash(prev_hash, row)
    connection.execute(insert(AuditEvent), rows)


def _drop_staged(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)


orm_event.listen(OversightSession, "before_commit", _append_staged)
orm_event.listen(OversightSession, "after_soft_rollback", _drop_staged)


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify_rows(rows: Iterable[Mapping[str, Any]]) -> Verification:
    """Walk rows in ``seq`` order and recompute the chain; stop at the first break."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            return Verification(
                checked, seq, prev_hash, expected_seq, f"seq {expected_seq} is missing"
            )
        if row["prev_hash"] != prev_hash:
            return Verification(
                checked, seq, prev_hash, seq, "prev_hash does not match the previous hash"
            )
        if chain_hash(prev_hash, row) != row["hash"]:
            return Verification(
                checked, seq, prev_hash, seq, "hash does not match the event's contents"
            )
        prev_hash, expected_seq, checked = row["hash"], expected_seq + 1, checked + 1
    return Verification(checked, expected_seq - 1, prev_hash)
