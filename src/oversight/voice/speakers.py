"""Residents signed up to speak at a meeting, in the order they signed up.

A sign-up is a sub-resource of its meeting, but it does not show in the meeting's staff
representation, so it does not bump the meeting's ``version``: residents signing up must not
make the If-Match of a commissioner editing the meeting stale. Sign-ups are serialized by the
meeting's row lock instead, which is what makes positions gap-free (1, 2, 3, ...).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import User
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.errors import Conflict, ProblemCode, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize, load_row
from oversight.core.roles import Actor
from oversight.meetings.enums import MeetingStatus
from oversight.meetings.models import AgendaItem, Meeting
from oversight.voice import policy as voice_policy
from oversight.voice.models import Speaker
from oversight.voice.policy import VoiceAction
from oversight.voice.speaker_schemas import SpeakerCreate, SpeakerOut

#: A listed speaker's columns, in SpeakerOut's order: the list is read as plain values.
LISTED: tuple[Any, ...] = (
    Speaker.id,
    Speaker.position,
    Speaker.topic,
    Speaker.agenda_item_id,
    Speaker.user_id,
    User.display_name,
    Speaker.created_at,
)

ALREADY_SIGNED_UP = "You are already signed up to speak at this meeting."


async def _meeting(session: AsyncSession, meeting_id: uuid.UUID, *, lock: bool) -> Meeting:
    return await load_row(session, Meeting, meeting_id, missing="No such meeting.", for_update=lock)


async def _signed_up(session: AsyncSession, meeting_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(Speaker.id).where(Speaker.meeting_id == meeting_id, Speaker.user_id == user_id)
    )
    return found is not None


async def _check_item(
    session: AsyncSession, meeting_id: uuid.UUID, item_id: uuid.UUID | None
) -> None:
    if item_id is None:
        return
    found = await session.scalar(
        select(AgendaItem.id).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id)
    )
    if found is None:
        raise Unprocessable(
            "agenda_item_id must name an item on this meeting's agenda.",
            loc=("body", "agenda_item_id"),
        )


async def sign_up(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, data: SpeakerCreate
) -> SpeakerOut:
    """Refusals in every resource's order: 404, 403, 409 (not scheduled), 409 (once), 422."""
    # The meeting's row lock serializes sign-ups, so the next position is computed by one
    # transaction at a time (SQLite: BEGIN IMMEDIATE already serializes writers).
    meeting = await _meeting(session, meeting_id, lock=True)
    authorize(voice_policy.voice(actor.role, VoiceAction.SIGN_UP_TO_SPEAK))
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(
            f"Sign-ups close when a meeting opens; this one is {meeting.status}.",
            extra={"meeting_status": meeting.status},
        )
    if await _signed_up(session, meeting.id, actor.user_id):
        raise Conflict(ALREADY_SIGNED_UP, code=ProblemCode.ALREADY_EXISTS)
    await _check_item(session, meeting.id, data.agenda_item_id)
    last = await session.scalar(
        select(func.max(Speaker.position)).where(Speaker.meeting_id == meeting.id)
    )
    speaker = Speaker(
        meeting_id=meeting.id,
        user_id=actor.user_id,
        agenda_item_id=data.agenda_item_id,
        position=(last or 0) + 1,
        topic=data.topic,
        created_at=utcnow(),
    )
    session.add(speaker)
    try:
        await session.flush()
    except IntegrityError as exc:
        # A uniqueness race the lock did not prevent is the contract's 409, never a 500; the
        # unit of work then rolls back, so nothing is stored.
        raise Conflict(ALREADY_SIGNED_UP, code=ProblemCode.ALREADY_EXISTS) from exc
    # Not record_change: the meeting's version stays as it is (see the module's docstring).
    # The topic and the speaker's name stay out of the append-only log.
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.SPEAKER_SIGNED_UP,
        entity_type=EntityType.MEETING,
        entity_id=meeting.id,
        data={"speaker_id": speaker.id, "position": speaker.position},
    )
    display_name = await session.scalar(select(User.display_name).where(User.id == actor.user_id))
    return _out(speaker, display_name or "")


def _out(speaker: Speaker, display_name: str) -> SpeakerOut:
    return SpeakerOut(
        id=speaker.id,
        position=speaker.position,
        topic=speaker.topic,
        agenda_item_id=speaker.agenda_item_id,
        user_id=speaker.user_id,
        display_name=display_name,
        created_at=speaker.created_at,
    )


async def page(
    session: AsyncSession,
    actor: Actor,
    meeting_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[SpeakerOut], str | None]:
    """The meeting's speakers in the order they will speak (commissioners and admins)."""
    meeting = await _meeting(session, meeting_id, lock=False)
    authorize(voice_policy.voice(actor.role, VoiceAction.READ_SPEAKERS))
    stmt = (
        select(*LISTED)
        .join(User, User.id == Speaker.user_id)
        .where(Speaker.meeting_id == meeting.id)
    )
    # Positions are unique within a meeting: the position alone is the keyset.
    rows, next_cursor = await keyset_page(
        session, stmt, [SortKey(Speaker.position)], limit=limit, cursor=cursor, columns=True
    )
    return [SpeakerOut.model_validate(dict(row)) for row in rows], next_cursor
