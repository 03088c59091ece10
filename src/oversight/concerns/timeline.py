"""A concern's history, read from the audit log, as each audience may see it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.enums import NoteVisibility, normalize_tracking_code
from oversight.concerns.models import Concern, ConcernNote
from oversight.concerns.policy import STATUS_ACTIONS, TIMELINE
from oversight.concerns.schemas import (
    ConcernEventOut,
    PublicConcernStatus,
    PublicTimelineEntry,
    SubmitterAddition,
)
from oversight.concerns.service import load
from oversight.core.clock import utcnow
from oversight.core.errors import NotFound
from oversight.core.events import AuditAction, EntityType
from oversight.core.models import AuditEvent
from oversight.core.roles import Actor, Role

CODE_NOT_FOUND = "No concern has this tracking code."


async def concern_by_code(
    session: AsyncSession, raw_code: str, *, for_update: bool = False
) -> Concern | None:
    code = normalize_tracking_code(raw_code)
    if code is None:
        return None
    stmt = select(Concern).where(Concern.tracking_code == code)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def _events(
    session: AsyncSession, concern_id: uuid.UUID, actions: tuple[AuditAction, ...] | None
) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.entity_type == EntityType.CONCERN, AuditEvent.entity_id == concern_id
    )
    if actions is not None:
        stmt = stmt.where(AuditEvent.action.in_(actions))
    return list((await session.scalars(stmt.order_by(AuditEvent.seq))).all())


def _redacted(event: AuditEvent, role: Role) -> ConcernEventOut | None:
    data: dict[str, Any] = event.data or {}
    if event.action == AuditAction.NOTE_ADDED and data.get("visibility") != NoteVisibility.PUBLIC:
        return None
    fields: dict[str, Any] = {
        "seq": event.seq,
        "at": event.at,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "public_note": data.get("public_note"),
    }
    # Staff actors are public officials; a resident actor is the complainant, hidden from police.
    if event.actor_role in {Role.COMMISSIONER, Role.ADMIN, Role.OFFICER}:
        fields |= {"actor_role": event.actor_role, "actor_id": event.actor_id}
    elif role is Role.RESIDENT:
        fields |= {"actor_role": event.actor_role or "submitter"}
    return ConcernEventOut(**fields)


async def concern_events(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID
) -> list[ConcernEventOut]:
    concern = await load(session, actor, concern_id)
    actions = TIMELINE[actor.role]
    if actions is None:
        return [
            ConcernEventOut(
                seq=e.seq,
                at=e.at,
                action=e.action,
                actor_role=e.actor_role,
                actor_id=e.actor_id,
                from_status=e.from_status,
                to_status=e.to_status,
                reason=e.reason,
                public_note=(e.data or {}).get("public_note"),
                data=e.data,
            )
            for e in await _events(session, concern.id, None)
        ]
    events = await _events(session, concern.id, actions)
    return [shown for e in events if (shown := _redacted(e, actor.role)) is not None]


async def public_status(session: AsyncSession, raw_code: str) -> PublicConcernStatus:
    concern = await concern_by_code(session, raw_code)
    if concern is None:
        raise NotFound(CODE_NOT_FOUND)
    events = await _events(session, concern.id, STATUS_ACTIONS)
    # The submitter's own notes (by tracking code, or signed in as the submitter): theirs to
    # read back. Public only: a commissioner who filed a concern may also write internal ones.
    added = await session.scalars(
        select(ConcernNote)
        .where(
            ConcernNote.concern_id == concern.id,
            ConcernNote.by_submitter.is_(True),
            ConcernNote.visibility == NoteVisibility.PUBLIC,
        )
        .order_by(ConcernNote.created_at, ConcernNote.id)
    )
    now = utcnow()
    return PublicConcernStatus(
        tracking_code=concern.tracking_code,
        kind=concern.kind,
        category=concern.category,
        status=concern.status,
        disposition=concern.disposition,
        received_on=concern.created_at.date(),
        response_due_on=concern.response_due_at.date() if concern.response_due_at else None,
        overdue=concern.due_sort < now,
        timeline=[
            PublicTimelineEntry(
                at=e.at,
                status=e.to_status or concern.status,
                public_note=(e.data or {}).get("public_note"),
            )
            for e in events
        ],
        added_information=[SubmitterAddition(at=n.created_at, body=n.body) for n in added],
    )
