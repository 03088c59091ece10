"""Commission meetings: scheduling, their state machine, and ordered agendas."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight import audit
from oversight.db import utcnow
from oversight.domain import machines
from oversight.domain.concerns import ConcernStatus
from oversight.domain.roles import Actor, Role
from oversight.errors import Conflict, Forbidden, NotFound, Unprocessable
from oversight.models import AgendaItem, Attendance, Concern, Meeting, Resolution, User
from oversight.pagination import SortKey, keyset_page
from oversight.schemas import (
    AgendaItemCreate,
    AgendaItemOut,
    AgendaItemUpdate,
    AttendanceIn,
    AttendanceOut,
    MeetingCreate,
    MeetingOut,
    MeetingTransition,
    MeetingUpdate,
    MinutesIn,
    MinutesOut,
)
from oversight.services import concerns
from oversight.services.common import check_version, enforce_move, load_row, record_change

READERS = frozenset({Role.COMMISSIONER, Role.ADMIN})


def _require_commissioner(actor: Actor) -> None:
    if actor.role is not Role.COMMISSIONER:
        raise Forbidden("Only commissioners manage meetings.")


def _check_reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise Forbidden("Meetings are managed by the commission; see /public/meetings.")


async def load(
    session: AsyncSession, meeting_id: uuid.UUID, *, for_update: bool = False
) -> Meeting:
    return await load_row(
        session, Meeting, meeting_id, missing="No such meeting.", for_update=for_update
    )


async def agenda_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[AgendaItem]:
    rows = await session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    return list(rows.all())


async def attendance_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[Attendance]:
    rows = await session.scalars(
        select(Attendance)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Attendance.commissioner_id)
    )
    return list(rows.all())


async def represent(session: AsyncSession, meeting: Meeting, actor: Actor) -> MeetingOut:
    agenda = await agenda_of(session, meeting.id)
    attendance = await attendance_of(session, meeting.id)
    minutes = None
    if meeting.minutes_body is not None:
        minutes = MinutesOut(
            body=meeting.minutes_body,
            status=meeting.minutes_status,
            approved_at=meeting.minutes_approved_at,
        )
    return MeetingOut(
        id=meeting.id,
        title=meeting.title,
        scheduled_at=meeting.scheduled_at,
        location=meeting.location,
        description=meeting.description,
        status=meeting.status,
        agenda=[AgendaItemOut.model_validate(item) for item in agenda],
        attendance=[AttendanceOut.model_validate(entry) for entry in attendance],
        minutes=minutes,
        allowed_transitions=list(
            machines.allowed(machines.MEETING_MOVES, meeting.status, actor.role)
        ),
        version=meeting.version,
        created_at=meeting.created_at,
        updated_at=meeting.updated_at,
    )


async def read(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> MeetingOut:
    _check_reader(actor)
    meeting = await load(session, meeting_id)
    return await represent(session, meeting, actor)


async def page(
    session: AsyncSession, actor: Actor, *, limit: int, cursor: str | None
) -> tuple[list[MeetingOut], str | None]:
    _check_reader(actor)
    rows, next_cursor = await keyset_page(
        session,
        select(Meeting),
        [SortKey(Meeting.scheduled_at, True), SortKey(Meeting.id, True)],
        limit=limit,
        cursor=cursor,
    )
    return [await represent(session, m, actor) for m in rows], next_cursor


async def _changed(
    session: AsyncSession, actor: Actor, meeting: Meeting, action: str, **event: Any
) -> None:
    await record_change(session, actor, meeting, "meeting", action, **event)


async def create(session: AsyncSession, actor: Actor, data: MeetingCreate) -> MeetingOut:
    _require_commissioner(actor)
    now = utcnow()
    meeting = Meeting(
        **data.model_dump(), status="scheduled", version=1, created_at=now, updated_at=now
    )
    session.add(meeting)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="meeting.created",
        entity_type="meeting",
        entity_id=meeting.id,
        to_status="scheduled",
        data={"title": meeting.title, "scheduled_at": audit.format_at(meeting.scheduled_at)},
    )
    return await represent(session, meeting, actor)


async def edit(
    session: AsyncSession,
    actor: Actor,
    meeting_id: uuid.UUID,
    if_match: str | None,
    data: MeetingUpdate,
) -> MeetingOut:
    meeting = await load(session, meeting_id, for_update=True)
    check_version(meeting, if_match)
    _require_commissioner(actor)
    wanted = data.model_dump(exclude_unset=True)
    for name in ("title", "scheduled_at"):
        if name in wanted and wanted[name] is None:
            raise Unprocessable(f"{name} may not be null.", loc=("body", name))
    if meeting.status in {"adjourned", "cancelled"}:
        raise Conflict(f"A meeting that is {meeting.status} can no longer be edited.")
    if "scheduled_at" in wanted and meeting.status != "scheduled":
        raise Conflict("Only a scheduled meeting can be moved to another time.")
    before = {k: getattr(meeting, k) for k in wanted if getattr(meeting, k) != wanted[k]}
    after = {k: wanted[k] for k in before}
    if after:
        for name, value in after.items():
            setattr(meeting, name, value)
        action = "meeting.postponed" if "scheduled_at" in after else "meeting.edited"
        await _changed(
            session,
            actor,
            meeting,
            action,
            data={"before": before, "after": after},
        )
    return await represent(session, meeting, actor)


async def transition(
    session: AsyncSession,
    actor: Actor,
    meeting_id: uuid.UUID,
    if_match: str | None,
    data: MeetingTransition,
) -> MeetingOut:
    if data.to == "cancelled":
        await _lock_agenda_parts(session, meeting_id)
    meeting = await load(session, meeting_id, for_update=True)
    check_version(meeting, if_match)
    given = {"reason"} if data.reason else set()
    enforce_move(machines.MEETING_MOVES, "meeting", meeting.status, data.to, actor.role, given)
    source = meeting.status
    meeting.status = data.to
    await _changed(
        session,
        actor,
        meeting,
        "meeting.transition",
        from_status=source,
        to_status=data.to,
        reason=data.reason,
    )
    if data.to == "cancelled":
        # Resolutions build on meetings; only a cancellation reaches back to them.
        from oversight.services import resolutions

        await _return_scheduled_concerns(session, actor, meeting)
        await resolutions.return_proposed_to_draft(session, actor, meeting)
    return await represent(session, meeting, actor)


async def _lock_agenda_parts(session: AsyncSession, meeting_id: uuid.UUID) -> None:
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
        .where(Resolution.meeting_id == meeting_id, Resolution.status == "proposed")
        .order_by(Resolution.id)
        .with_for_update()
    )


async def _return_scheduled_concerns(session: AsyncSession, actor: Actor, meeting: Meeting) -> None:
    """A cancelled meeting hands its scheduled concerns back to review, in the same transaction."""
    scheduled = await session.scalars(
        select(Concern)
        .join(AgendaItem, AgendaItem.concern_id == Concern.id)
        .where(AgendaItem.meeting_id == meeting.id, Concern.status == ConcernStatus.SCHEDULED)
        .order_by(Concern.id)
        .with_for_update(of=Concern)
    )
    now = utcnow()
    for concern in scheduled.all():
        await concerns.record_move(
            session,
            actor,
            concern,
            ConcernStatus.UNDER_REVIEW,
            now,
            reason="meeting cancelled",
            data={"meeting_id": str(meeting.id)},
        )


async def _open_agenda(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> Meeting:
    meeting = await load(session, meeting_id, for_update=True)
    _require_commissioner(actor)
    if meeting.status != "scheduled":
        raise Conflict(f"The agenda of a meeting that is {meeting.status} cannot change.")
    return meeting


async def _place(
    session: AsyncSession, meeting: Meeting, item: AgendaItem, position: int | None
) -> None:
    """Put ``item`` at ``position`` (1-based; the end when None), renumbering the others."""
    others = [i for i in await agenda_of(session, meeting.id) if i.id != item.id]
    index = len(others) if position is None else min(position - 1, len(others))
    ordered = [*others[:index], item, *others[index:]]
    for number, each in enumerate(ordered, start=1):
        each.position = number


async def add_item(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, data: AgendaItemCreate
) -> AgendaItem:
    meeting = await _open_agenda(session, actor, meeting_id)
    item = AgendaItem(meeting_id=meeting.id, title=data.title, kind=data.kind, position=0)
    session.add(item)
    await _place(session, meeting, item, data.position)
    await _changed(
        session,
        actor,
        meeting,
        "meeting.agenda_item_added",
        data={"item_id": str(item.id), "kind": item.kind, "title": item.title},
    )
    return item


async def _place_all(session: AsyncSession, meeting: Meeting) -> None:
    for number, each in enumerate(await agenda_of(session, meeting.id), start=1):
        each.position = number


async def change_item(
    session: AsyncSession,
    actor: Actor,
    meeting_id: uuid.UUID,
    item_id: uuid.UUID,
    data: AgendaItemUpdate,
) -> AgendaItem:
    meeting = await _open_agenda(session, actor, meeting_id)
    item = await _item(session, meeting, item_id)
    wanted = data.model_dump(exclude_unset=True)
    if "title" in wanted:
        if wanted["title"] is None:
            raise Unprocessable("title may not be null.", loc=("body", "title"))
        item.title = wanted["title"]
    if wanted.get("position") is not None:
        await _place(session, meeting, item, wanted["position"])
    await _changed(
        session,
        actor,
        meeting,
        "meeting.agenda_item_changed",
        data={"item_id": str(item.id), **{k: v for k, v in wanted.items() if v is not None}},
    )
    return item


async def remove_item(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, item_id: uuid.UUID
) -> None:
    meeting = await _open_agenda(session, actor, meeting_id)
    item = await _item(session, meeting, item_id)
    if item.concern_id is not None or item.resolution_id is not None:
        raise Conflict(
            "Concerns and resolutions leave an agenda by their own moves "
            "(a concern back to under_review, a resolution withdrawn)."
        )
    await session.delete(item)
    await session.flush()
    await _place_all(session, meeting)
    await _changed(
        session, actor, meeting, "meeting.agenda_item_removed", data={"item_id": str(item.id)}
    )


async def _item(session: AsyncSession, meeting: Meeting, item_id: uuid.UUID) -> AgendaItem:
    item = await session.scalar(
        select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
    )
    if item is None:
        raise NotFound("No such agenda item on this meeting.")
    return item


async def set_attendance(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, entries: Sequence[AttendanceIn]
) -> MeetingOut:
    """Mark commissioners present or absent; only while the meeting is in session."""
    meeting = await load(session, meeting_id, for_update=True)
    _require_commissioner(actor)
    if meeting.status != "in_session":
        raise Conflict("Attendance is taken while the meeting is in session.")
    wanted = {entry.commissioner_id: entry.present for entry in entries}
    if len(wanted) != len(entries):
        raise Unprocessable("Each commissioner may appear once.", loc=("body",))
    known = set(
        (
            await session.scalars(
                select(User.id).where(
                    User.id.in_(wanted), User.role == Role.COMMISSIONER, User.is_active.is_(True)
                )
            )
        ).all()
    )
    if unknown := sorted(str(i) for i in set(wanted) - known):
        raise Unprocessable(
            f"Not active commissioners: {', '.join(unknown)}.", loc=("body", "commissioner_id")
        )
    current = {a.commissioner_id: a for a in await attendance_of(session, meeting.id)}
    changes = {}
    for commissioner_id, present in wanted.items():
        entry = current.get(commissioner_id)
        if entry is None:
            session.add(
                Attendance(meeting_id=meeting.id, commissioner_id=commissioner_id, present=present)
            )
        elif entry.present == present:
            continue
        else:
            entry.present = present
        changes[str(commissioner_id)] = present
    if changes:
        await _changed(session, actor, meeting, "meeting.attendance", data={"present": changes})
    return await represent(session, meeting, actor)


async def write_minutes(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, data: MinutesIn
) -> MeetingOut:
    meeting = await load(session, meeting_id, for_update=True)
    _require_commissioner(actor)
    if meeting.status != "adjourned":
        raise Conflict("Minutes are drafted after the meeting adjourns.")
    if meeting.minutes_status == "approved":
        raise Conflict("Approved minutes are the public record and no longer change.")
    meeting.minutes_body = data.body
    meeting.minutes_status = "draft"
    await _changed(
        session, actor, meeting, "meeting.minutes_drafted", data={"length": len(data.body)}
    )
    return await represent(session, meeting, actor)


async def approve_minutes(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> MeetingOut:
    meeting = await load(session, meeting_id, for_update=True)
    _require_commissioner(actor)
    if meeting.minutes_status != "draft":
        raise Conflict("There is no draft of the minutes to approve.")
    meeting.minutes_status = "approved"
    meeting.minutes_approved_at = utcnow()
    await _changed(
        session,
        actor,
        meeting,
        "meeting.minutes_approved",
        from_status="draft",
        to_status="approved",
    )
    return await represent(session, meeting, actor)


async def _join_agenda(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, item: AgendaItem
) -> AgendaItem:
    """Append a concern's or a resolution's item to a meeting that has not met yet."""
    meeting = await session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).with_for_update()
    )
    if meeting is None or meeting.status != "scheduled":
        raise Unprocessable(
            "meeting_id must name a meeting that is still scheduled.", loc=("body", "meeting_id")
        )
    item.meeting_id, item.position = meeting.id, 0
    session.add(item)
    await _place(session, meeting, item, None)
    linked = {"concern_id": item.concern_id, "resolution_id": item.resolution_id}
    await _changed(
        session,
        actor,
        meeting,
        "meeting.agenda_item_added",
        data={
            "item_id": str(item.id),
            "kind": item.kind,
            **{k: str(v) for k, v in linked.items() if v is not None},
        },
    )
    return item


async def _leave_agenda(
    session: AsyncSession, actor: Actor, link: ColumnElement[bool], data: dict[str, str]
) -> None:
    """Remove the items ``link`` selects from meetings that have not met yet."""
    items = await session.scalars(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(link, Meeting.status == "scheduled")
    )
    for item in items.all():
        meeting = await load(session, item.meeting_id, for_update=True)
        await session.delete(item)
        await session.flush()
        await _place_all(session, meeting)
        await _changed(
            session,
            actor,
            meeting,
            "meeting.agenda_item_removed",
            data={"item_id": str(item.id), **data},
        )


async def schedule_concern(
    session: AsyncSession, meeting_id: uuid.UUID, concern: Concern, actor: Actor
) -> AgendaItem:
    """The agenda half of a concern's move to `scheduled` (same transaction)."""
    # The public sees agenda titles: the category only, never the resident's words.
    kind, category = (value.replace("_", " ") for value in (concern.kind, concern.category))
    item = AgendaItem(
        title=f"Concern review: {kind} ({category})", kind="concern", concern_id=concern.id
    )
    return await _join_agenda(session, actor, meeting_id, item)


async def unschedule_concern(session: AsyncSession, concern: Concern, actor: Actor) -> None:
    """A deferred concern leaves the agenda of a meeting that has not met yet."""
    await _leave_agenda(
        session, actor, AgendaItem.concern_id == concern.id, {"concern_id": str(concern.id)}
    )


async def put_resolution_on_agenda(
    session: AsyncSession, meeting_id: uuid.UUID, resolution: Resolution, actor: Actor
) -> AgendaItem:
    """The agenda half of a resolution's move to `proposed` (same transaction)."""
    item = AgendaItem(title=resolution.title, kind="resolution", resolution_id=resolution.id)
    return await _join_agenda(session, actor, meeting_id, item)


async def take_resolution_off_agenda(
    session: AsyncSession, resolution: Resolution, actor: Actor
) -> None:
    """A withdrawn resolution leaves the agenda of a meeting that has not met yet."""
    await _leave_agenda(
        session,
        actor,
        AgendaItem.resolution_id == resolution.id,
        {"resolution_id": str(resolution.id)},
    )
