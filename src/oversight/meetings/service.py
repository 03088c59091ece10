"""Commission meetings: scheduling, their state machine, and ordered agendas."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import User
from oversight.concerns.enums import ConcernStatus
from oversight.concerns.moves import Moving, make_move
from oversight.concerns.schemas import ConcernTransition
from oversight.core import audit
from oversight.core import machine as machines
from oversight.core.clock import utcnow
from oversight.core.errors import Conflict, NotFound, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize, check_version, enforce_move, load_row, record_move
from oversight.core.rfc3339 import format_at
from oversight.core.roles import Actor, Role
from oversight.meetings import agenda
from oversight.meetings import machine as meeting_machine
from oversight.meetings import policy as meeting_policy
from oversight.meetings.agenda import meeting_changed
from oversight.meetings.enums import MeetingStatus, MinutesStatus
from oversight.meetings.models import AgendaItem, Attendance, Meeting
from oversight.meetings.policy import MeetingAction
from oversight.meetings.schemas import (
    AgendaItemCreate,
    AgendaItemOut,
    AgendaItemUpdate,
    AttendanceOut,
    AttendanceUpdate,
    MeetingCreate,
    MeetingOut,
    MeetingTransition,
    MeetingUpdate,
    MinutesOut,
    MinutesUpdate,
)
from oversight.meetings.visibility import meetings_visible_to


def _may(actor: Actor, action: MeetingAction) -> None:
    authorize(meeting_policy.meetings(actor.role, action))


async def load(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, *, for_update: bool = False
) -> Meeting:
    """A meeting the caller may see (``meetings_visible_to``), else 404."""
    return await load_row(
        session,
        Meeting,
        meeting_id,
        missing="No such meeting.",
        visible=meetings_visible_to(actor),
        for_update=for_update,
    )


async def attendance_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[Attendance]:
    rows = await session.scalars(
        select(Attendance)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Attendance.commissioner_id)
    )
    return list(rows.all())


async def represent(session: AsyncSession, meeting: Meeting, actor: Actor) -> MeetingOut:
    items = await agenda.items_of(session, meeting.id)
    attendance = await session.execute(
        select(Attendance.commissioner_id, User.display_name.label("name"), Attendance.present)
        .join(User, User.id == Attendance.commissioner_id)
        .where(Attendance.meeting_id == meeting.id)
        .order_by(User.display_name, Attendance.commissioner_id)
    )
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
        agenda=[AgendaItemOut.model_validate(item) for item in items],
        attendance=[AttendanceOut.model_validate(entry) for entry in attendance.all()],
        minutes=minutes,
        allowed_transitions=list(
            machines.allowed(meeting_machine.MEETING_MOVES, meeting.status, actor.role)
        ),
        version=meeting.version,
        created_at=meeting.created_at,
        updated_at=meeting.updated_at,
    )


async def read(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> MeetingOut:
    meeting = await load(session, actor, meeting_id)
    _may(actor, MeetingAction.READ)
    return await represent(session, meeting, actor)


async def page(
    session: AsyncSession, actor: Actor, *, limit: int, cursor: str | None
) -> tuple[list[MeetingOut], str | None]:
    _may(actor, MeetingAction.READ)
    rows, next_cursor = await keyset_page(
        session,
        select(Meeting).where(meetings_visible_to(actor)),
        [SortKey(Meeting.scheduled_at, True), SortKey(Meeting.id, True)],
        limit=limit,
        cursor=cursor,
    )
    return [await represent(session, m, actor) for m in rows], next_cursor


async def create(session: AsyncSession, actor: Actor, data: MeetingCreate) -> MeetingOut:
    _may(actor, MeetingAction.MANAGE)
    now = utcnow()
    meeting = Meeting(
        **data.model_dump(),
        status=MeetingStatus.SCHEDULED,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.MEETING_CREATED,
        entity_type=EntityType.MEETING,
        entity_id=meeting.id,
        to_status=MeetingStatus.SCHEDULED,
        data={"title": meeting.title, "scheduled_at": format_at(meeting.scheduled_at)},
    )
    return await represent(session, meeting, actor)


async def edit(
    session: AsyncSession,
    actor: Actor,
    meeting_id: uuid.UUID,
    if_match: str | None,
    data: MeetingUpdate,
) -> MeetingOut:
    meeting = await load(session, actor, meeting_id, for_update=True)
    check_version(meeting, if_match)
    _may(actor, MeetingAction.MANAGE)
    wanted = data.model_dump(exclude_unset=True)
    for name in ("title", "scheduled_at"):
        if name in wanted and wanted[name] is None:
            raise Unprocessable(f"{name} may not be null.", loc=("body", name))
    if meeting.status in {MeetingStatus.ADJOURNED, MeetingStatus.CANCELLED}:
        raise Conflict(f"A meeting that is {meeting.status} can no longer be edited.")
    if "scheduled_at" in wanted and meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict("Only a scheduled meeting can be moved to another time.")
    before = {k: getattr(meeting, k) for k in wanted if getattr(meeting, k) != wanted[k]}
    after = {k: wanted[k] for k in before}
    if after:
        for name, value in after.items():
            setattr(meeting, name, value)
        action = (
            AuditAction.MEETING_POSTPONED if "scheduled_at" in after else AuditAction.MEETING_EDITED
        )
        await meeting_changed(
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
    cancelling = data.to == MeetingStatus.CANCELLED
    meeting = await load(session, actor, meeting_id, for_update=not cancelling)
    check_version(meeting, if_match)
    _may(actor, MeetingAction.MANAGE)
    given = {"reason"} if data.reason else set()
    enforce_move(
        meeting_machine.MEETING_MOVES, "meeting", meeting.status, data.to, actor.role, given
    )
    if cancelling:
        # Only now that the caller may cancel it: the agenda's concerns and resolutions are
        # locked before the meeting (the lock order of ``agenda``), then the meeting is read
        # again under its lock and checked again, as it may have changed meanwhile.
        await agenda.lock_parts_of(session, meeting.id)
        meeting = await load(session, actor, meeting_id, for_update=True)
        check_version(meeting, if_match)
        enforce_move(
            meeting_machine.MEETING_MOVES, "meeting", meeting.status, data.to, actor.role, given
        )
    await record_move(
        session,
        actor,
        meeting,
        EntityType.MEETING,
        AuditAction.MEETING_TRANSITION,
        data.to,
        reason=data.reason,
    )
    if cancelling:
        await _return_concerns(session, actor, meeting, data.reason or "")
        await agenda.hand_back(session, actor, meeting)
    return await represent(session, meeting, actor)


async def _return_concerns(
    session: AsyncSession, actor: Actor, meeting: Meeting, reason: str
) -> None:
    """Each concern scheduled on the cancelled meeting goes back to `under_review` by the
    concern machine's cancellation move, through ``make_move`` like every concern move: its
    audit event, its clock, and the submitter's e-mail, which carries the cancellation's reason
    (public, like the meeting) as the move's public note."""
    now, to = utcnow(), ConcernStatus.UNDER_REVIEW
    # As long as a public note may be (``core.schemas.Reason``).
    note = f"The meeting it was scheduled for was cancelled: {reason}"[:2_000]
    for concern in await agenda.scheduled_on(session, meeting):
        request = ConcernTransition(
            to=to, reason=agenda.CANCELLED_REASON, public_note=note, meeting_id=meeting.id
        )
        await make_move(Moving(session, actor, concern, request, now), via=machines.CANCELLATION)


async def _open_agenda(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> Meeting:
    meeting = await load(session, actor, meeting_id, for_update=True)
    _may(actor, MeetingAction.MANAGE)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"The agenda of a meeting that is {meeting.status} cannot change.")
    return meeting


async def add_item(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, data: AgendaItemCreate
) -> AgendaItem:
    meeting = await _open_agenda(session, actor, meeting_id)
    item = AgendaItem(meeting_id=meeting.id, title=data.title, kind=data.kind, position=0)
    session.add(item)
    await agenda.place(session, meeting, item, data.position)
    await meeting_changed(
        session,
        actor,
        meeting,
        AuditAction.AGENDA_ITEM_ADDED,
        data={"item_id": item.id, "kind": item.kind, "title": item.title},
    )
    return item


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
        await agenda.place(session, meeting, item, wanted["position"])
    await meeting_changed(
        session,
        actor,
        meeting,
        AuditAction.AGENDA_ITEM_CHANGED,
        data={"item_id": item.id, **{k: v for k, v in wanted.items() if v is not None}},
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
    await agenda.renumber(session, meeting)
    await meeting_changed(
        session, actor, meeting, AuditAction.AGENDA_ITEM_REMOVED, data={"item_id": item.id}
    )


async def _item(session: AsyncSession, meeting: Meeting, item_id: uuid.UUID) -> AgendaItem:
    item = await session.scalar(
        select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
    )
    if item is None:
        raise NotFound("No such agenda item on this meeting.")
    return item


async def set_attendance(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, entries: Sequence[AttendanceUpdate]
) -> MeetingOut:
    """Mark commissioners present or absent; only while the meeting is in session."""
    meeting = await load(session, actor, meeting_id, for_update=True)
    _may(actor, MeetingAction.MANAGE)
    if meeting.status != MeetingStatus.IN_SESSION:
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
        await meeting_changed(
            session, actor, meeting, AuditAction.ATTENDANCE_TAKEN, data={"present": changes}
        )
    return await represent(session, meeting, actor)


async def write_minutes(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, data: MinutesUpdate
) -> MeetingOut:
    meeting = await load(session, actor, meeting_id, for_update=True)
    _may(actor, MeetingAction.MANAGE)
    if meeting.status != MeetingStatus.ADJOURNED:
        raise Conflict("Minutes are drafted after the meeting adjourns.")
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise Conflict("Approved minutes are the public record and no longer change.")
    meeting.minutes_body = data.body
    meeting.minutes_status = MinutesStatus.DRAFT
    await meeting_changed(
        session, actor, meeting, AuditAction.MINUTES_DRAFTED, data={"length": len(data.body)}
    )
    return await represent(session, meeting, actor)


async def approve_minutes(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> MeetingOut:
    meeting = await load(session, actor, meeting_id, for_update=True)
    _may(actor, MeetingAction.MANAGE)
    if meeting.minutes_status != MinutesStatus.DRAFT:
        raise Conflict("There is no draft of the minutes to approve.")
    meeting.minutes_status = MinutesStatus.APPROVED
    meeting.minutes_approved_at = utcnow()
    await meeting_changed(
        session,
        actor,
        meeting,
        AuditAction.MINUTES_APPROVED,
        from_status=MinutesStatus.DRAFT,
        to_status=MinutesStatus.APPROVED,
    )
    return await represent(session, meeting, actor)
