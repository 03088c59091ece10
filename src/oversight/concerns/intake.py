"""Intake: a concern brought by a resident or anonymously, with its allegations."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pydantic_core import to_json
from sqlalchemy import JSON, BigInteger, Text, bindparam, cast, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Category, User
from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import (
    PRIORITY_RANK,
    STAFF_CHANNELS,
    Channel,
    ConcernStatus,
    Kind,
    Priority,
    new_tracking_code,
)
from oversight.concerns.models import Allegation, Concern
from oversight.concerns.policy import ConcernAction
from oversight.concerns.schemas import ConcernCreate
from oversight.concerns.view import ConcernView, represent
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.errors import Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import authorize
from oversight.core.roles import Actor, Role

_CONCERN_COLUMNS = tuple(column.key for column in Concern.__table__.columns)
#: The concern's INSERT, made only if its category is active: the check and the write in one
#: round trip (an unknown or retired category inserts no row, and is a 422).
_INSERT_CONCERN = insert(Concern).from_select(
    _CONCERN_COLUMNS,
    select(
        *(bindparam(column.key, type_=column.type) for column in Concern.__table__.columns)
    ).where(exists().where(Category.code == bindparam("category"), Category.active.is_(True))),
)
_INSERT_ALLEGATION = insert(Allegation)
#: Built once: every intake runs it.
_ACTIVE_CATEGORIES = select(Category.code).where(
    Category.code.in_(bindparam("codes", expanding=True)), Category.active.is_(True)
)


async def check_categories(
    session: AsyncSession, *wanted: tuple[tuple[str, ...], set[str]]
) -> None:
    """Each ``(loc, codes)``: every code names an active category, else a 422 at ``loc``.
    One query for all of them."""
    codes = set().union(*(asked for _, asked in wanted))
    connection = await session.connection()
    found = set((await connection.execute(_ACTIVE_CATEGORIES, {"codes": sorted(codes)})).scalars())
    for loc, asked in wanted:
        if unknown := sorted(asked - found):
            raise Unprocessable(f"Unknown or retired category: {', '.join(unknown)}.", loc=loc)


def _intake_by(actor: Actor | None, data: ConcernCreate) -> tuple[Channel, uuid.UUID | None]:
    """The channel and the submitter: a resident's own (``web``), or staff's for a resident
    (a channel named, the resident if ``on_behalf_of`` names one, else nobody: anonymous;
    ``_check_resident`` then checks that account)."""
    role = actor.role if actor else None
    authorize(concern_policy.concerns(role, ConcernAction.SUBMIT))
    if data.on_behalf_of is not None or data.channel not in (None, Channel.WEB):
        authorize(concern_policy.concerns(role, ConcernAction.TAKE_FOR_RESIDENT))
    if actor is None or actor.role is Role.RESIDENT:
        return Channel.WEB, actor.user_id if actor else None
    if data.channel not in STAFF_CHANNELS:
        channels = ", ".join(sorted(STAFF_CHANNELS))
        raise Unprocessable(
            f"Staff intake names how the concern came in: one of {channels}.",
            loc=("body", "channel"),
        )
    return data.channel, data.on_behalf_of


async def _check_resident(session: AsyncSession, resident_id: uuid.UUID) -> None:
    resident = await session.scalar(
        select(User.id).where(
            User.id == resident_id, User.role == Role.RESIDENT, User.is_active.is_(True)
        )
    )
    if resident is None:
        raise Unprocessable("No active resident has this id.", loc=("body", "on_behalf_of"))


def _new_concern(
    settings: Settings, data: ConcernCreate, channel: Channel, submitter: uuid.UUID | None
) -> dict[str, Any]:
    """The new concern's row, every column given."""
    now = utcnow()
    location = data.location
    triage_due = now + timedelta(days=settings.triage_sla_days)
    return dict.fromkeys(_CONCERN_COLUMNS) | {
        "id": uuid.uuid4(),
        "tracking_code": new_tracking_code(),
        "kind": data.kind,
        "category": data.category,
        "summary": data.summary,
        "description": data.description,
        "occurred_at": data.occurred_at,
        "address": location.address if location else None,
        "neighborhood": location.neighborhood if location else None,
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "status": ConcernStatus.SUBMITTED,
        "priority_rank": PRIORITY_RANK[Priority.NORMAL],
        "submitted_by": submitter,
        "anonymous": submitter is None,
        "contact_email": data.contact_email,
        "contact_phone": data.contact_phone,
        "contact_locale": data.locale,
        "channel": channel,
        "triage_due_at": triage_due,
        "due_sort": triage_due,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _submitted(
    actor: Actor | None,
    concern: dict[str, Any],
    allegations: int,
    open311_key: uuid.UUID | None,
) -> audit.Event:
    return audit.event(
        actor=actor,
        action=AuditAction.CONCERN_SUBMITTED,
        entity_type=EntityType.CONCERN,
        entity_id=concern["id"],
        to_status=ConcernStatus.SUBMITTED,
        data={
            "kind": concern["kind"],
            "category": concern["category"],
            "allegations": allegations,
            "channel": concern["channel"],
        }
        | ({"open311_key": open311_key} if open311_key else {}),
    )


def _unknown_category(data: ConcernCreate) -> Unprocessable:
    return Unprocessable(f"Unknown or retired category: {data.category}.", loc=("body", "category"))


async def submit(
    session: AsyncSession,
    settings: Settings,
    actor: Actor | None,
    data: ConcernCreate,
    *,
    open311_key: uuid.UUID | None = None,
) -> ConcernView:
    """``open311_key``: filed anonymously by the 311 system holding that key (channel
    ``open311``; the audit event names the key)."""
    channel, submitter = _intake_by(actor, data)
    if data.on_behalf_of is not None:
        await _check_resident(session, data.on_behalf_of)
    if open311_key is not None:
        channel = Channel.OPEN311
    if data.allegations:
        await check_categories(
            session,
            (("body", "category"), {data.category}),
            (("body", "allegations"), {a.category for a in data.allegations}),
        )
    if data.allegations and data.kind is not Kind.COMPLAINT:
        raise Unprocessable("Only complaints carry allegations.", loc=("body", "allegations"))
    concern = _new_concern(settings, data, channel, submitter)
    now = concern["created_at"]
    allegations = [
        {"id": uuid.uuid4(), **a.model_dump(), "finding": None, "officer_id": None}
        for a in data.allegations
    ]
    # Core inserts, every column given: a new row needs nothing of the ORM's unit of work, and
    # its flush was a tenth of an intake's CPU (bench/profile.py).
    connection = await session.connection()
    inserted = await connection.execute(_INSERT_CONCERN, concern)
    if inserted.rowcount != 1:  # the category is unknown or retired (checked above if not)
        raise _unknown_category(data)
    if allegations:
        await connection.execute(
            _INSERT_ALLEGATION,
            [
                {**a, "concern_id": concern["id"], "position": i, "created_at": now}
                for i, a in enumerate(allegations)
            ],
        )
    await audit.stage(session, _submitted(actor, concern, len(allegations), open311_key))
    return represent(concern, allegations, actor, now)


#: PostgreSQL: the INSERT (if the category is active) and the audit append, in one call of
#: ``concern_submit`` (migration 20261126_15): the append a statement after the INSERT and its
#: counts trigger, so the chain lock is taken last, as by every writer.
_SUBMIT = select(
    func.concern_submit(
        cast(bindparam("concern", type_=Text), JSON),
        bindparam("audit_key", type_=BigInteger),
        cast(bindparam("audit_events", type_=Text), JSON),
    ).label("written")
)


async def submit_alone(
    database: Database, settings: Settings, actor: Actor | None, data: ConcernCreate
) -> ConcernView:
    """``submit`` as a unit of work of its own. On PostgreSQL a concern without allegations
    that is not filed for another account is one round trip on the bare driver
    (``db.Direct``): ``concern_submit``, its own transaction. Otherwise ``submit`` in a unit
    of work."""
    if data.allegations or data.on_behalf_of is not None or not database.postgres:
        async with database.unit_of_work() as session:
            return await submit(session, settings, actor, data)
    channel, submitter = _intake_by(actor, data)
    concern = _new_concern(settings, data, channel, submitter)
    event = _submitted(actor, concern, 0, None)
    arguments = {"concern": to_json(concern).decode()} | audit.append_arguments([event])
    written = await database.direct.first(_SUBMIT, arguments)
    if written is None or not written["written"]:
        raise _unknown_category(data)  # nothing written, nothing audited
    return represent(concern, [], actor, concern["created_at"])
