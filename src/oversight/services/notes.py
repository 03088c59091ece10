"""Notes on a concern: internal (staff only) and public (the submitter and the status page)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight import audit
from oversight.db import utcnow
from oversight.domain.concerns import NoteVisibility
from oversight.domain.roles import Actor, Role
from oversight.errors import Forbidden, NotFound
from oversight.models import Concern, ConcernNote
from oversight.schemas import NoteCreate
from oversight.services.concerns import load
from oversight.services.timeline import concern_by_code

#: Which notes each role reads; officers read none, so they never see a resident's words.
READABLE = {
    Role.COMMISSIONER: {NoteVisibility.INTERNAL, NoteVisibility.PUBLIC},
    Role.ADMIN: {NoteVisibility.INTERNAL, NoteVisibility.PUBLIC},
    Role.RESIDENT: {NoteVisibility.PUBLIC},
    Role.OFFICER: set(),
}
WRITABLE = {
    Role.COMMISSIONER: {NoteVisibility.INTERNAL, NoteVisibility.PUBLIC},
    Role.RESIDENT: {NoteVisibility.PUBLIC},
}
DEFAULT_VISIBILITY = {
    Role.COMMISSIONER: NoteVisibility.INTERNAL,
    Role.RESIDENT: NoteVisibility.PUBLIC,
}


async def list_notes(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID
) -> list[ConcernNote]:
    concern = await load(session, actor, concern_id)
    if not READABLE[actor.role]:
        raise Forbidden("Officers do not see notes on concerns.")
    rows = await session.scalars(
        select(ConcernNote)
        .where(
            ConcernNote.concern_id == concern.id,
            ConcernNote.visibility.in_([v.value for v in READABLE[actor.role]]),
        )
        .order_by(ConcernNote.created_at, ConcernNote.id)
    )
    return list(rows.all())


async def _add(
    session: AsyncSession,
    concern: Concern,
    actor: Actor | None,
    body: str,
    visibility: NoteVisibility,
    *,
    by_submitter: bool,
) -> ConcernNote:
    note = ConcernNote(
        concern_id=concern.id,
        author_id=actor.user_id if actor else None,
        by_submitter=by_submitter,
        visibility=visibility,
        body=body,
        created_at=utcnow(),
    )
    session.add(note)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="concern.note_added",
        entity_type="concern",
        entity_id=concern.id,
        data={
            "note_id": str(note.id),
            "visibility": visibility.value,
            "by_submitter": by_submitter,
        },
    )
    return note


async def add_note(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, data: NoteCreate
) -> ConcernNote:
    concern = await load(session, actor, concern_id, for_update=True)
    allowed = WRITABLE.get(actor.role, set())
    visibility = data.visibility or DEFAULT_VISIBILITY.get(actor.role, NoteVisibility.INTERNAL)
    if visibility not in allowed:
        raise Forbidden(f"A {actor.role} may not add {visibility} notes.")
    return await _add(
        session,
        concern,
        actor,
        data.body,
        visibility,
        by_submitter=concern.submitted_by == actor.user_id,
    )


async def add_note_by_code(session: AsyncSession, code: str, body: str) -> ConcernNote:
    """Whoever holds the tracking code adds information, as a public note by the submitter."""
    concern = await concern_by_code(session, code, for_update=True)
    if concern is None:
        raise NotFound("No concern has this tracking code.")
    return await _add(session, concern, None, body, NoteVisibility.PUBLIC, by_submitter=True)
