"""Intake: a concern brought by a resident or anonymously, with its allegations."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight import audit
from oversight.config import Settings
from oversight.db import utcnow
from oversight.domain import policies
from oversight.domain.concerns import (
    PRIORITY_RANK,
    ConcernStatus,
    Kind,
    Priority,
    new_tracking_code,
)
from oversight.domain.events import AuditAction, EntityType
from oversight.domain.policies import ConcernAction
from oversight.domain.roles import Actor
from oversight.errors import Unprocessable
from oversight.models import Allegation, Category, Concern
from oversight.schemas.concerns import ConcernCreate
from oversight.services.common import authorize
from oversight.services.concerns.view import ConcernView, represent

_CONCERN_COLUMNS = tuple(column.key for column in Concern.__table__.columns)
_INSERT_CONCERN = insert(Concern)
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


async def submit(
    session: AsyncSession, settings: Settings, actor: Actor | None, data: ConcernCreate
) -> ConcernView:
    authorize(policies.concerns(actor.role if actor else None, ConcernAction.SUBMIT))
    await check_categories(
        session,
        (("body", "category"), {data.category}),
        (("body", "allegations"), {a.category for a in data.allegations}),
    )
    if data.allegations and data.kind is not Kind.COMPLAINT:
        raise Unprocessable("Only complaints carry allegations.", loc=("body", "allegations"))
    now = utcnow()
    location = data.location
    triage_due = now + timedelta(days=settings.triage_sla_days)
    concern: dict[str, Any] = dict.fromkeys(_CONCERN_COLUMNS) | {
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
        "submitted_by": actor.user_id if actor else None,
        "anonymous": actor is None,
        "contact_email": data.contact_email,
        "triage_due_at": triage_due,
        "due_sort": triage_due,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    allegations = [
        {"id": uuid.uuid4(), **a.model_dump(), "finding": None} for a in data.allegations
    ]
    # Core inserts, every column given: a new row needs nothing of the ORM's unit of work, and
    # its flush was a tenth of an intake's CPU (bench/profile.py).
    connection = await session.connection()
    await connection.execute(_INSERT_CONCERN, concern)
    if allegations:
        await connection.execute(
            _INSERT_ALLEGATION,
            [
                {**a, "concern_id": concern["id"], "position": i, "created_at": now}
                for i, a in enumerate(allegations)
            ],
        )
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.CONCERN_SUBMITTED,
        entity_type=EntityType.CONCERN,
        entity_id=concern["id"],
        to_status=ConcernStatus.SUBMITTED,
        data={"kind": data.kind, "category": data.category, "allegations": len(allegations)},
    )
    return represent(concern, allegations, actor, now)
