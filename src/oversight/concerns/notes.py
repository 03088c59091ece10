"""Notes on a concern: internal (staff only) and public (the submitter and the status page)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import NoteVisibility
from oversight.concerns.models import Concern, ConcernNote
from oversight.concerns.policy import NOTES_READ, ConcernAction
from oversight.concerns.schemas import NoteCreate
from oversight.concerns.service import load
from oversight.concerns.timeline import concern_by_code
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.errors import NotFound
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import authorize
from oversight.core.roles import Actor


async def list_notes(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID
) -> list[ConcernNote]:
    concern = await load(session, actor, concern_id)
    authorize(concern_policy.concerns(actor.role, ConcernAction.READ_NOTES))
    rows = await session.scalars(
        select(ConcernNote)
        .where(
            ConcernNote.concern_id == concern.id,
            ConcernNote.visibility.in_(sorted(NOTES_READ[actor.role])),
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
        action=AuditAction.NOTE_ADDED,
        entity_type=EntityType.CONCERN,
        entity_id=concern.id,
        data={"note_id": note.id, "visibility": visibility, "by_submitter": by_submitter},
    )
    return note


async def add_note(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, data: NoteCreate
) -> ConcernNote:
    concern = await load(session, actor, concern_id, for_update=True)
    visibility = concern_policy.note_visibility(actor.role, data.visibility)
    authorize(concern_policy.write_note(actor.role, visibility))
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
