"""A meeting's agenda: its order, and the items concerns and resolutions bring to it.

Concerns, resolutions and meetings all change agendas; this module is the one they call, so
that none of them imports another. A concern joins an agenda by its move to `scheduled` and
leaves by its deferral; a resolution joins by its proposal and leaves by its withdrawal; a
cancelled meeting hands both back (concerns to `under_review`, each by the concern machine's
cancellation move, which ``meetings.service`` makes with ``concerns.moves.make_move``;
resolutions to `draft`, by ``hand_back``).

Lock order, everywhere: the concern or resolution first, the meeting second
(``lock_parts_of`` lets a cancellation take them in that order too).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.enums import ConcernStatus
from oversight.concerns.models import Concern
from oversight.core import machine as machines
from oversight.core.clock import utcnow
from oversight.core.errors import Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import enforce_move, load_row, record_change, record_move
from oversight.core.roles import Actor
from oversight.meetings.enums import AgendaItemKind, MeetingStatus
from oversight.meetings.models import AgendaItem, Meeting
from oversight.resolutions import machine as resolution_machine
from oversight.resolutions.enums import ResolutionStatus
from oversight.resolutions.models import Resolution

CANCELLED_REASON = "meeting cancelled"


async def items_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[AgendaItem]:
    rows = await session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    return list(rows.all())


async def place(
    session: AsyncSession, meeting: Meeting, item: AgendaItem, position: int | None
) -> None:
    """Put ``item`` at ``position`` (1-based; the end when None), renumbering the others."""
    others = [i for i in await items_of(session, meeting.id) if i.id != item.id]
    index = len(others) if position is None else min(position - 1, len(others))
    ordered = [*others[:index], item, *others[index:]]
    for number, each in enumerate(ordered, start=1):
        each.position = number


async def renumber(session: AsyncSession, meeting: Meeting) -> None:
    for number, each in enumerate(await items_of(session, meeting.id), start=1):
        each.position = number


async def meeting_changed(
    session: AsyncSession, actor: Actor, meeting: Meeting, action: AuditAction, **event: Any
) -> None:
    await record_change(session, actor, meeting, EntityType.MEETING, action, **event)


async def _join(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, item: AgendaItem
) -> AgendaItem:
    """Append a concern's or a resolution's item to a meeting that has not met yet."""
    meeting = await session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).with_for_update()
    )
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        raise Unprocessable(
            "meeting_id must name a meeting that is still scheduled.", loc=("body", "meeting_id")
        )
    item.meeting_id, item.position = meeting.id, 0
    session.add(item)
    await place(session, meeting, item, None)
    linked = {"concern_id": item.concern_id, "resolution_id": item.resolution_id}
    await meeting_changed(
        session,
        actor,
        meeting,
        AuditAction.AGENDA_ITEM_ADDED,
        data={
            "item_id": item.id,
            "kind": item.kind,
            **{k: v for k, v in linked.items() if v is not None},
        },
    )
    return item


async def _leave(
    session: AsyncSession, actor: Actor, link: ColumnElement[bool], data: dict[str, Any]
) -> None:
    """Remove the items ``link`` selects from meetings that have not met yet."""
    items = await session.scalars(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(link, Meeting.status == MeetingStatus.SCHEDULED)
    )
    for item in items.all():
        meeting = await load_row(
            session, Meeting, item.meeting_id, missing="No such meeting.", for_update=True
        )
        await session.delete(item)
        await session.flush()
        await renumber(session, meeting)
        await meeting_changed(
            session,
            actor,
            meeting,
            AuditAction.AGENDA_ITEM_REMOVED,
            data={"item_id": item.id, **data},
        )


async def schedule_concern(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, concern: Concern
) -> AgendaItem:
    """The agenda half of a concern's move to `scheduled` (same transaction)."""
    # The public sees agenda titles: the category only, never the resident's words.
    kind, category = (value.replace("_", " ") for value in (concern.kind, concern.category))
    item = AgendaItem(
        title=f"Concern review: {kind} ({category})",
        kind=AgendaItemKind.CONCERN,
        concern_id=concern.id,
    )
    return await _join(session, actor, meeting_id, item)


async def unschedule_concern(session: AsyncSession, actor: Actor, concern: Concern) -> None:
    """A deferred concern leaves the agenda of a meeting that has not met yet."""
    await _leave(session, actor, AgendaItem.concern_id == concern.id, {"concern_id": concern.id})


async def propose_resolution(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, resolution: Resolution
) -> AgendaItem:
    """The agenda half of a resolution's move to `proposed` (same transaction)."""
    item = AgendaItem(
        title=resolution.title, kind=AgendaItemKind.RESOLUTION, resolution_id=resolution.id
    )
    return await _join(session, actor, meeting_id, item)


async def withdraw_resolution(session: AsyncSession, actor: Actor, resolution: Resolution) -> None:
    """A withdrawn resolution leaves the agenda of a meeting that has not met yet."""
    await _leave(
        session, actor, AgendaItem.resolution_id == resolution.id, {"resolution_id": resolution.id}
    )


async def lock_parts_of(session: AsyncSession, meeting_id: uuid.UUID) -> None:
    """Lock the concerns scheduled on the meeting and its proposed resolutions, before the
    meeting itself: scheduling, deferring, proposing and withdrawing lock the concern or the
    resolution first and the meeting second, so a cancellation takes them in the same order
    and cannot deadlock with them. (What joins the agenda meanwhile is locked again after.)"""
    on_agenda = select(AgendaItem.concern_id).where(AgendaItem.meeting_id == meeting_id)
    await session.execute(
        select(Concern.id)
        .where(Concern.id.in_(on_agenda), Concern.status == ConcernStatus.SCHEDULED)
        .order_by(Concern.id)
        .with_for_update()
    )
    await session.execute(
        select(Resolution.id)
        .where(Resolution.meeting_id == meeting_id, Resolution.status == ResolutionStatus.PROPOSED)
        .order_by(Resolution.id)
        .with_for_update()
    )


async def scheduled_on(session: AsyncSession, meeting: Meeting) -> list[Concern]:
    """The concerns still scheduled on ``meeting`` (locked: ``lock_parts_of`` took them)."""
    scheduled = await session.scalars(
        select(Concern)
        .join(AgendaItem, AgendaItem.concern_id == Concern.id)
        .where(AgendaItem.meeting_id == meeting.id, Concern.status == ConcernStatus.SCHEDULED)
        .order_by(Concern.id)
        .with_for_update(of=Concern)
        .execution_options(populate_existing=True)
    )
    return list(scheduled.all())


async def hand_back(session: AsyncSession, actor: Actor, meeting: Meeting) -> None:
    """A cancelled meeting's proposed resolutions return to `draft`, audited, in the
    cancellation's transaction."""
    now = utcnow()
    proposed = await session.scalars(
        select(Resolution)
        .where(Resolution.meeting_id == meeting.id, Resolution.status == ResolutionStatus.PROPOSED)
        .order_by(Resolution.id)
        .with_for_update()
    )
    for resolution in proposed.all():
        enforce_move(
            resolution_machine.RESOLUTION_MOVES,
            "resolution",
            resolution.status,
            ResolutionStatus.DRAFT,
            actor.role,
            set(),
            via=machines.CANCELLATION,
        )
        resolution.meeting_id = None
        await record_move(
            session,
            actor,
            resolution,
            EntityType.RESOLUTION,
            AuditAction.RESOLUTION_TRANSITION,
            ResolutionStatus.DRAFT,
            now,
            reason=CANCELLED_REASON,
            data={"meeting_id": meeting.id},
        )
