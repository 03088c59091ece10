"""What early intervention does when a change is recorded: in the recording transaction, it
only notes which officers' records changed (a link, a finding, a commendation); the worker
evaluates them afterwards (``evaluate_pending``), never the request."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.models import Allegation
from oversight.core import audit, background
from oversight.core.clock import utcnow
from oversight.core.db import Database, dialect_name
from oversight.core.events import AuditAction
from oversight.intervention.evaluation import evaluate
from oversight.intervention.models import Pending

#: The most officers one worker round evaluates.
BATCH = 500


def _named(data: dict[str, Any]) -> Iterable[str]:
    """The officers an event's before and after name."""
    for side in (data.get("before") or {}, data.get("after") or {}):
        if side.get("officer_id"):
            yield side["officer_id"]
        yield from side.get("commended_officer_ids") or ()


async def mark(session: AsyncSession, officers: Iterable[uuid.UUID | str]) -> None:
    """Note that these officers' records changed (once each, however often)."""
    rows = [{"officer_id": uuid.UUID(str(o)), "marked_at": utcnow()} for o in set(officers)]
    if not rows:
        return
    insert = postgresql_insert if dialect_name(session) == "postgresql" else sqlite_insert
    await session.execute(insert(Pending).values(rows).on_conflict_do_nothing())


@audit.on(
    AuditAction.ALLEGATION_CHANGED,
    AuditAction.CONCERN_TRANSITION,
    AuditAction.CONCERN_EDITED,
)
async def record_changed(session: AsyncSession, event: audit.Event) -> None:
    officers = set(_named(event.data or {}))
    if event.action == AuditAction.CONCERN_TRANSITION:  # findings may have been recorded
        linked = await session.scalars(
            select(Allegation.officer_id).where(
                Allegation.concern_id == event.entity_id, Allegation.officer_id.is_not(None)
            )
        )
        officers.update(str(officer) for officer in linked)
    elif event.action == AuditAction.ALLEGATION_CHANGED:
        current = await session.scalar(
            select(Allegation.officer_id).where(
                Allegation.id == uuid.UUID(str(event.data["allegation_id"]))
            )
        )
        if current is not None:
            officers.add(str(current))
    await mark(session, officers)


@background.every_round
async def evaluate_pending(database: Database) -> int:
    """Evaluate the officers whose record changed (a batch of them); how many. Taking them is a
    short transaction of its own, so that a request noting one of them never waits for the
    evaluation; an evaluation that fails notes them again. Several workers on PostgreSQL take
    different officers."""
    async with database.unit_of_work() as session:
        stmt = select(Pending.officer_id).order_by(Pending.marked_at).limit(BATCH)
        if dialect_name(session) == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        officers = list(await session.scalars(stmt))
        if not officers:
            return 0
        await session.execute(delete(Pending).where(Pending.officer_id.in_(officers)))
    try:
        async with database.unit_of_work() as session:
            await evaluate(session, officers)
    except Exception:
        async with database.unit_of_work() as session:
            await mark(session, officers)
        raise
    return len(officers)
