"""The audit log: the only writer of ``audit_events``, and the chain verifier.

Services call :func:`record` in the transaction that makes a change. Events are staged on the
session and appended when that transaction commits (``before_commit``), so the change and its
events are committed together or not at all, and the chain lock is held only for the last
moment of the transaction.

The chain's form and hash are ``core.chain``.

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

import json
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Concatenate, ParamSpec

import rfc8785
from sqlalchemy import JSON, BigInteger, Connection, Text, bindparam, cast, func, insert, select
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from oversight.core.chain import GENESIS_HASH, canonical_pieces, chain_hash, json_document
from oversight.core.clock import utcnow
from oversight.core.engines import OversightSession
from oversight.core.events import AuditAction, EntityType
from oversight.core.models import AuditEvent
from oversight.core.rfc3339 import format_at
from oversight.core.roles import Actor

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
        # A roster import changes many officers: their ids are in the data.
        AuditAction.ROSTER_IMPORTED,
    }
)
#: References that are empty by design (a user in no department, a concern nobody is assigned
#: to, an allegation linked to no roster officer): in event data, null under these keys means
#: "none". Under any other ``*_id`` key it would mean an id read before it existed.
OPTIONAL_REFERENCES = frozenset({"department_id", "assignee_id", "officer_id"})


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


#: What reacts to a recorded change, in the transaction that makes it: ``on(action)``.
Handler = Callable[[AsyncSession, Event], Awaitable[None]]
_HANDLERS: dict[str, list[Handler]] = {}
#: What is written with the events themselves, on SQLite (``before_append``); on PostgreSQL
#: ``audit_append`` does the same in the database.
AppendHook = Callable[[Connection, list[dict[str, Any]]], None]
_BEFORE_APPEND: list[AppendHook] = []


def on(*actions: AuditAction) -> Callable[[Handler], Handler]:
    """Register a handler that runs whenever an event with one of ``actions`` is staged, in
    the same transaction, after the change it records (areas register theirs in their
    ``handlers`` module, which ``oversight.wiring`` imports)."""

    def register(handler: Handler) -> Handler:
        for action in actions:
            _HANDLERS.setdefault(action.value, []).append(handler)
        return handler

    return register


def before_append(hook: AppendHook) -> AppendHook:
    """Register a hook given the rows about to be appended, on SQLite (the outbox)."""
    _BEFORE_APPEND.append(hook)
    return hook


async def stage(session: AsyncSession, staged: Event) -> None:
    """Stage an ``event``, and run the handlers registered for its action; it is appended to
    the chain when the session's transaction commits."""
    session.sync_session.info.setdefault(_PENDING, []).append(staged)
    for handler in _HANDLERS.get(staged.action, ()):
        await handler(session, staged)


def _staging(
    build: Callable[P, Event],
) -> Callable[Concatenate[AsyncSession, P], Coroutine[Any, Any, None]]:
    async def record(session: AsyncSession, /, *args: P.args, **kwargs: P.kwargs) -> None:
        await stage(session, build(*args, **kwargs))

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
    if isinstance(value, date):
        return value.isoformat()
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
    for hook in _BEFORE_APPEND:  # the outbox's deliveries, then the events
        hook(connection, rows)
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
