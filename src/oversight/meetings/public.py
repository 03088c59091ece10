"""The commission's meetings as the public sees them, and as a calendar feed."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime
from urllib.parse import urlencode
from xml.etree import ElementTree

from icalendar import Calendar, Event
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import User
from oversight.concerns.models import Concern
from oversight.core.errors import NotFound
from oversight.core.pagination import SortKey, keyset_page
from oversight.evidence import catalog
from oversight.evidence.enums import TargetType
from oversight.meetings.enums import MeetingStatus, MinutesStatus
from oversight.meetings.models import AgendaItem, Attendance, Meeting
from oversight.meetings.schemas import (
    PublicAgendaItem,
    PublicAttendance,
    PublicDecision,
    PublicMeeting,
    PublicMinutes,
)
from oversight.resolutions.enums import DECIDED, ResolutionStatus
from oversight.resolutions.models import Resolution, Vote
from oversight.resolutions.schemas import PublicVote
from oversight.resolutions.visibility import resolutions_visible_to
from oversight.resolutions.voting import Choice
from oversight.voice.enums import CommentStatus, CommentTarget
from oversight.voice.models import Comment, Speaker

#: Meetings carry no end time; calendars get a block of this length.
DEFAULT_LENGTH = timedelta(hours=2)

#: Meetings whose agenda items are open for comment (``voice.comments`` decides; the
#: contract: an agenda item of a meeting that is scheduled or in session).
OPEN_FOR_COMMENT = (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION)


@dataclass(frozen=True)
class _Voice:
    """Participation counts for a page of meetings, each from one grouped query."""

    speakers: dict[uuid.UUID, int] = field(default_factory=dict)
    item_speakers: dict[uuid.UUID, int] = field(default_factory=dict)
    item_comments: dict[uuid.UUID, int] = field(default_factory=dict)


async def _voice(session: AsyncSession, meeting_ids: Collection[uuid.UUID]) -> _Voice:
    """Speakers per meeting and per agenda item, and published comments per agenda item."""
    voice = _Voice()
    if not meeting_ids:
        return voice
    signed_up = await session.execute(
        select(Speaker.meeting_id, Speaker.agenda_item_id, func.count())
        .where(Speaker.meeting_id.in_(meeting_ids))
        .group_by(Speaker.meeting_id, Speaker.agenda_item_id)
    )
    for meeting_id, item_id, n in signed_up.all():
        voice.speakers[meeting_id] = voice.speakers.get(meeting_id, 0) + int(n)
        if item_id is not None:
            voice.item_speakers[item_id] = int(n)
    comments = await session.execute(
        select(Comment.target_id, func.count())
        .join(AgendaItem, AgendaItem.id == Comment.target_id)
        .where(
            AgendaItem.meeting_id.in_(meeting_ids),
            Comment.target_type == CommentTarget.AGENDA_ITEM,
            Comment.status == CommentStatus.PUBLISHED,
        )
        .group_by(Comment.target_id)
    )
    voice.item_comments.update({item_id: int(n) for item_id, n in comments.all()})
    return voice


async def _decisions(
    session: AsyncSession, meeting_id: uuid.UUID
) -> dict[uuid.UUID, PublicDecision]:
    """The resolutions decided at this meeting, with their votes by name (two queries)."""
    decided = await session.execute(
        select(Resolution.id, Resolution.status, Resolution.number).where(
            Resolution.meeting_id == meeting_id, Resolution.status.in_(DECIDED)
        )
    )
    found = {
        i: PublicDecision(status=ResolutionStatus(s), number=n, votes=[]) for i, s, n in decided
    }
    if found:
        votes = await session.execute(
            select(
                Vote.resolution_id,
                Vote.commissioner_id,
                User.display_name,
                Vote.vote,
                Vote.reason,
            )
            .join(User, User.id == Vote.commissioner_id)
            .where(Vote.resolution_id.in_(found))
            .order_by(User.display_name, Vote.commissioner_id)
        )
        for resolution_id, _, name, choice, reason in votes:
            found[resolution_id].votes.append(
                PublicVote(name=name, vote=Choice(choice), reason=reason)
            )
    return found


async def _represent(session: AsyncSession, meeting: Meeting, voice: _Voice) -> PublicMeeting:
    agenda = await session.execute(
        select(
            AgendaItem.id,
            AgendaItem.position,
            AgendaItem.title,
            AgendaItem.kind,
            Concern.category,
            # A resolution handed back to draft (its meeting cancelled) is hidden again: the
            # public agenda keeps the item, never a link to what the public may not see.
            case((resolutions_visible_to(None), Resolution.id), else_=None),
        )
        .outerjoin(Concern, Concern.id == AgendaItem.concern_id)
        .outerjoin(Resolution, Resolution.id == AgendaItem.resolution_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    )
    decisions = await _decisions(session, meeting.id)
    rows = agenda.all()
    documents = await catalog.public_documents(session, TargetType.MEETING, [meeting.id])
    item_documents = await catalog.public_documents(
        session, TargetType.AGENDA_ITEM, [row[0] for row in rows]
    )
    attendance = await session.execute(
        select(User.display_name, Attendance.present)
        .join(User, User.id == Attendance.commissioner_id)
        .where(Attendance.meeting_id == meeting.id)
        .order_by(User.display_name, Attendance.commissioner_id)
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
            PublicAgendaItem(
                id=i,
                position=p,
                title=t,
                kind=k,
                category=c,
                resolution_id=r,
                comments_count=voice.item_comments.get(i, 0),
                speakers_count=voice.item_speakers.get(i, 0),
                decision=decisions.get(r) if r else None,
                documents=item_documents[i],
            )
            for i, p, t, k, c, r in rows
        ],
        attendance=[PublicAttendance(name=n, present=p) for n, p in attendance.all()],
        minutes=minutes,
        speakers_count=voice.speakers.get(meeting.id, 0),
        documents=documents[meeting.id],
    )


async def listing(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[Meeting], str | None]:
    """The meetings, newest first, as rows (title, date, status: every meeting is public), for
    a list that links to each; one query."""
    return await keyset_page(
        session,
        select(Meeting),
        [SortKey(Meeting.scheduled_at, True), SortKey(Meeting.id, True)],
        limit=limit,
        cursor=cursor,
    )


async def page(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[PublicMeeting], str | None]:
    rows, next_cursor = await listing(session, limit=limit, cursor=cursor)
    voice = await _voice(session, [m.id for m in rows])
    return [await _represent(session, m, voice) for m in rows], next_cursor


async def read(session: AsyncSession, meeting_id: uuid.UUID) -> PublicMeeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("No such meeting.")
    return await _represent(session, meeting, await _voice(session, [meeting.id]))


async def meeting_of_item(session: AsyncSession, item_id: uuid.UUID) -> uuid.UUID:
    """The meeting an agenda item is on (every meeting is public)."""
    meeting_id = await session.scalar(select(AgendaItem.meeting_id).where(AgendaItem.id == item_id))
    if meeting_id is None:
        raise NotFound("No such agenda item.")
    return meeting_id


async def _open_agendas(session: AsyncSession) -> dict[uuid.UUID, list[tuple[uuid.UUID, int]]]:
    """The agenda items (id, position) of every meeting still open for comment, in one query."""
    rows = await session.execute(
        select(AgendaItem.meeting_id, AgendaItem.id, AgendaItem.position)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status.in_(OPEN_FOR_COMMENT))
        .order_by(AgendaItem.meeting_id, AgendaItem.position)
    )
    agendas: dict[uuid.UUID, list[tuple[uuid.UUID, int]]] = defaultdict(list)
    for meeting_id, item_id, position in rows.all():
        agendas[meeting_id].append((item_id, position))
    return agendas


def comments_url(base_url: str, item_id: uuid.UUID) -> str:
    query = urlencode({"target_type": CommentTarget.AGENDA_ITEM.value, "target_id": str(item_id)})
    return f"{base_url}api/v1/public/comments?{query}"


def _comment_period(base_url: str, meeting_url: str, items: Sequence[tuple[uuid.UUID, int]]) -> str:
    """What an open meeting's event says about commenting on it: until it adjourns, where."""
    lines = [
        "Public comment: residents may comment on this meeting's agenda items until it"
        " adjourns (POST /api/v1/comments, target agenda_item).",
        f"Meeting and agenda: {meeting_url}",
    ]
    lines += [
        f"Comments on agenda item {position}: {comments_url(base_url, item_id)}"
        for item_id, position in items
    ]
    if not items:
        lines.append(f"Comments on its items, once on the agenda: {base_url}api/v1/public/comments")
    return "\n".join(lines)


async def calendar(session: AsyncSession, base_url: str) -> bytes:
    """Every meeting as an RFC 5545 VEVENT; cancelled ones say so, so calendars drop them. A
    meeting still open for comment says until when, and where to read and comment."""
    feed = Calendar()
    feed.add("prodid", "-//Oversight//Commission meetings//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Oversight commission meetings")
    agendas = await _open_agendas(session)
    meetings = await session.scalars(select(Meeting).order_by(Meeting.scheduled_at, Meeting.id))
    for meeting in meetings:
        url = f"{base_url}api/v1/public/meetings/{meeting.id}"
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
        event.add("url", url)
        if meeting.location:
            event.add("location", meeting.location)
        parts = [meeting.description] if meeting.description else []
        if meeting.status in OPEN_FOR_COMMENT:
            parts.append(_comment_period(base_url, url, agendas.get(meeting.id, [])))
        if parts:
            event.add("description", "\n\n".join(parts))
        feed.add_component(event)
    return bytes(feed.to_ical())


#: Meetings in the RSS feed, newest first.
RSS_ITEMS = 50


async def rss(session: AsyncSession, base_url: str) -> bytes:
    """The meetings as an RSS 2.0 feed, newest first, each linking to its page on the public
    site; a cancelled meeting says so in its title."""
    channel_root = ElementTree.Element("rss", version="2.0")
    channel = ElementTree.SubElement(channel_root, "channel")
    for name, text in (
        ("title", "Oversight commission meetings"),
        ("link", f"{base_url}meetings"),
        ("description", "Public meetings of the police oversight commission."),
        ("language", "en"),
    ):
        ElementTree.SubElement(channel, name).text = text
    meetings = await session.scalars(
        select(Meeting).order_by(Meeting.scheduled_at.desc(), Meeting.id.desc()).limit(RSS_ITEMS)
    )
    for meeting in meetings:
        item = ElementTree.SubElement(channel, "item")
        cancelled = meeting.status == MeetingStatus.CANCELLED
        when = meeting.scheduled_at.strftime("%Y-%m-%d %H:%M UTC")
        title = f"{'Cancelled: ' if cancelled else ''}{meeting.title} ({when})"
        ElementTree.SubElement(item, "title").text = title
        ElementTree.SubElement(item, "link").text = f"{base_url}meetings/{meeting.id}"
        guid = ElementTree.SubElement(item, "guid", isPermaLink="false")
        guid.text = f"{meeting.id}@oversight"
        ElementTree.SubElement(item, "pubDate").text = format_datetime(meeting.created_at)
        parts = [when, meeting.location or "", meeting.description or ""]
        ElementTree.SubElement(item, "description").text = " · ".join(p for p in parts if p)
    return bytes(ElementTree.tostring(channel_root, encoding="utf-8", xml_declaration=True))
