"""The commission's meetings as the public sees them, and as a calendar feed."""

from __future__ import annotations

import uuid
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.domain.meetings import MeetingStatus, MinutesStatus
from oversight.errors import NotFound
from oversight.models import AgendaItem, Attendance, Concern, Meeting, User
from oversight.pagination import SortKey, keyset_page
from oversight.schemas.meetings import (
    PublicAgendaItem,
    PublicAttendance,
    PublicMeeting,
    PublicMinutes,
)

#: Meetings carry no end time; calendars get a block of this length.
DEFAULT_LENGTH = timedelta(hours=2)


async def _represent(session: AsyncSession, meeting: Meeting) -> PublicMeeting:
    agenda = await session.execute(
        select(
            AgendaItem.position,
            AgendaItem.title,
            AgendaItem.kind,
            Concern.category,
            AgendaItem.resolution_id,
        )
        .outerjoin(Concern, Concern.id == AgendaItem.concern_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    )
    attendance = await session.execute(
        select(Attendance.commissioner_id, User.display_name, Attendance.present)
        .join(User, User.id == Attendance.commissioner_id)
        .where(Attendance.meeting_id == meeting.id)
        .order_by(User.display_name)
    )
    minutes = None
    if (
        meeting.minutes_status == MinutesStatus.APPROVED
        and meeting.minutes_body
        and meeting.minutes_approved_at
    ):
        minutes = PublicMinutes(body=meeting.minutes_body, approved_at=meeting.minutes_approved_at)
    return PublicMeeting(
        id=meeting.id,
        title=meeting.title,
        scheduled_at=meeting.scheduled_at,
        location=meeting.location,
        description=meeting.description,
        status=meeting.status,
        agenda=[
            PublicAgendaItem(position=p, title=t, kind=k, category=c, resolution_id=r)
            for p, t, k, c, r in agenda.all()
        ],
        attendance=[
            PublicAttendance(commissioner_id=i, name=n, present=p) for i, n, p in attendance.all()
        ],
        minutes=minutes,
    )


async def page(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[PublicMeeting], str | None]:
    rows, next_cursor = await keyset_page(
        session,
        select(Meeting),
        [SortKey(Meeting.scheduled_at, True), SortKey(Meeting.id, True)],
        limit=limit,
        cursor=cursor,
    )
    return [await _represent(session, m) for m in rows], next_cursor


async def read(session: AsyncSession, meeting_id: uuid.UUID) -> PublicMeeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("No such meeting.")
    return await _represent(session, meeting)


async def calendar(session: AsyncSession, base_url: str) -> bytes:
    """Every meeting as an RFC 5545 VEVENT; cancelled ones say so, so calendars drop them."""
    feed = Calendar()
    feed.add("prodid", "-//Oversight//Commission meetings//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Oversight commission meetings")
    meetings = await session.scalars(select(Meeting).order_by(Meeting.scheduled_at, Meeting.id))
    for meeting in meetings:
        event = Event()
        event.add("uid", f"{meeting.id}@oversight")
        event.add("dtstamp", meeting.updated_at)
        event.add("dtstart", meeting.scheduled_at)
        event.add("dtend", meeting.scheduled_at + DEFAULT_LENGTH)
        event.add("summary", meeting.title)
        event.add("sequence", meeting.version)
        event.add(
            "status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"
        )
        event.add("url", f"{base_url}api/v1/public/meetings/{meeting.id}")
        if meeting.location:
            event.add("location", meeting.location)
        if meeting.description:
            event.add("description", meeting.description)
        feed.add_component(event)
    return bytes(feed.to_ical())
