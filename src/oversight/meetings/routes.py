from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response, status

from oversight.accounts.deps import CurrentActor
from oversight.core.errors import ProblemCode
from oversight.core.events import EntityType
from oversight.core.http.deps import (
    Cursor,
    IfMatch,
    Limit,
    SessionDep,
    SettingsDep,
)
from oversight.core.http.documentation import documented
from oversight.core.http.responses import created_at, download, json_response, tagged
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.resources import parent_etag
from oversight.core.schemas import Page
from oversight.meetings import public as public_meetings
from oversight.meetings import service as meetings
from oversight.meetings.schemas import (
    AgendaItemCreate,
    AgendaItemOut,
    AgendaItemUpdate,
    AttendanceUpdate,
    MeetingCreate,
    MeetingOut,
    MeetingTransition,
    MeetingUpdate,
    MinutesUpdate,
    PublicMeeting,
)
from oversight.voice import speakers
from oversight.voice.speaker_schemas import SpeakerCreate, SpeakerOut

public = APIRouter(prefix="/public", tags=["public"])
router = APIRouter(prefix="/meetings", tags=["meetings"])


def meeting_response(
    meeting: MeetingOut, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return tagged(meeting, meeting.version, status_code, headers)


@router.post("", name="create", status_code=status.HTTP_201_CREATED, response_model=MeetingOut)
@documented(located=True)
async def create_meeting(
    body: MeetingCreate, request: Request, session: SessionDep, actor: CurrentActor
) -> Response:
    meeting = await meetings.create(session, actor, body)
    return meeting_response(meeting, 201, {"Location": created_at(request, meeting.id)})


@router.get("", name="list", response_model=Page[MeetingOut])
async def list_meetings(
    session: SessionDep, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Newest first. Commissioners and admins; everyone else reads `/public/meetings`."""
    items, next_cursor = await meetings.page(session, actor, limit=limit, cursor=cursor)
    return json_response(Page[MeetingOut](items=items, next_cursor=next_cursor))


@router.get("/{meeting_id}", name="read", response_model=MeetingOut)
async def read_meeting(meeting_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> Response:
    return meeting_response(await meetings.read(session, actor, meeting_id))


@router.patch("/{meeting_id}", name="edit", response_model=MeetingOut)
@documented(raises=(ProblemCode.CONFLICT,))
async def edit_meeting(
    meeting_id: uuid.UUID,
    body: MeetingUpdate,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Edit; moving `scheduled_at` of a scheduled meeting postpones it (audited)."""
    return meeting_response(await meetings.edit(session, actor, meeting_id, if_match, body))


@router.post("/{meeting_id}/transitions", name="move", response_model=MeetingOut)
@documented(raises=(ProblemCode.NOT_A_MOVE, ProblemCode.CONFLICT))
async def move_meeting(
    meeting_id: uuid.UUID,
    body: MeetingTransition,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Open (`in_session`), adjourn, or cancel (with a reason: its scheduled concerns return to
    `under_review` in the same transaction)."""
    return meeting_response(await meetings.transition(session, actor, meeting_id, if_match, body))


@router.post(
    "/{meeting_id}/agenda-items", status_code=status.HTTP_201_CREATED, response_model=AgendaItemOut
)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def add_agenda_item(
    meeting_id: uuid.UUID, body: AgendaItemCreate, session: SessionDep, actor: CurrentActor
) -> Response:
    """`Parent-ETag` is the meeting's new ETag."""
    item = await meetings.add_item(session, actor, meeting_id, body)
    headers = parent_etag(session, EntityType.MEETING, meeting_id)
    return json_response(AgendaItemOut.model_validate(item), 201, headers=headers)


@router.patch("/{meeting_id}/agenda-items/{item_id}", response_model=AgendaItemOut)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def change_agenda_item(
    meeting_id: uuid.UUID,
    item_id: uuid.UUID,
    body: AgendaItemUpdate,
    session: SessionDep,
    actor: CurrentActor,
) -> Response:
    """Retitle or reorder (`position`, 1-based); `Parent-ETag` is the meeting's new ETag."""
    item = await meetings.change_item(session, actor, meeting_id, item_id, body)
    headers = parent_etag(session, EntityType.MEETING, meeting_id)
    return json_response(AgendaItemOut.model_validate(item), headers=headers)


@router.delete("/{meeting_id}/agenda-items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def remove_agenda_item(
    meeting_id: uuid.UUID, item_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    await meetings.remove_item(session, actor, meeting_id, item_id)
    headers = parent_etag(session, EntityType.MEETING, meeting_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)


@router.put("/{meeting_id}/attendance", response_model=MeetingOut)
@documented(raises=(ProblemCode.CONFLICT,))
async def take_attendance(
    meeting_id: uuid.UUID,
    body: Annotated[list[AttendanceUpdate], Body(max_length=100)],
    session: SessionDep,
    actor: CurrentActor,
) -> Response:
    """Mark commissioners present or absent, only while the meeting is in session."""
    return meeting_response(await meetings.set_attendance(session, actor, meeting_id, body))


@router.put("/{meeting_id}/minutes", response_model=MeetingOut)
@documented(raises=(ProblemCode.CONFLICT,))
async def draft_minutes(
    meeting_id: uuid.UUID, body: MinutesUpdate, session: SessionDep, actor: CurrentActor
) -> Response:
    """Draft (or redraft) the minutes after adjournment; approved minutes are final."""
    return meeting_response(await meetings.write_minutes(session, actor, meeting_id, body))


@router.post("/{meeting_id}/minutes/approve", response_model=MeetingOut)
@documented(raises=(ProblemCode.CONFLICT,))
async def approve_minutes(
    meeting_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """Approval makes the minutes public."""
    return meeting_response(await meetings.approve_minutes(session, actor, meeting_id))


@router.post(
    "/{meeting_id}/speakers", status_code=status.HTTP_201_CREATED, response_model=SpeakerOut
)
@documented(raises=(ProblemCode.ALREADY_EXISTS, ProblemCode.CONFLICT))
async def sign_up_to_speak(
    meeting_id: uuid.UUID, body: SpeakerCreate, session: SessionDep, actor: CurrentActor
) -> Response:
    """A resident signs up to speak while the meeting is scheduled, once per meeting; the
    answer gives their place in the order. The meeting's version (its ETag) does not change."""
    return json_response(await speakers.sign_up(session, actor, meeting_id, body), 201)


@router.get("/{meeting_id}/speakers", response_model=Page[SpeakerOut])
async def list_speakers(
    meeting_id: uuid.UUID,
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """The speakers in the order they signed up (commissioners and admins)."""
    items, next_cursor = await speakers.page(session, actor, meeting_id, limit=limit, cursor=cursor)
    return json_response(Page[SpeakerOut](items=items, next_cursor=next_cursor))


@public.get("/meetings", name="meetings", response_model=Page[PublicMeeting])
async def public_meetings_page(
    session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """The commission's meetings, newest first: agendas, attendance by name, approved minutes."""
    items, next_cursor = await public_meetings.page(session, limit=limit, cursor=cursor)
    return json_response(Page[PublicMeeting](items=items, next_cursor=next_cursor))


@public.get(
    "/meetings.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An RFC 5545 calendar."}},
)
@documented(download=True)
async def meetings_calendar(session: SessionDep, settings: SettingsDep) -> Response:
    """Subscribe to this in a calendar application."""
    # Links name PUBLIC_URL, never the request's Host: a shared cache keeps one feed for all.
    body = await public_meetings.calendar(session, settings.public_url.rstrip("/") + "/")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers=download("oversight-meetings.ics", inline=False),
    )


@public.get(
    "/meetings.rss",
    name="meetings_rss",
    response_class=Response,
    responses={200: {"content": {"application/rss+xml": {}}, "description": "An RSS 2.0 feed."}},
)
async def meetings_feed(session: SessionDep, settings: SettingsDep) -> Response:
    """The meetings as an RSS 2.0 feed (newest 50), linking to the public site's pages."""
    body = await public_meetings.rss(session, settings.public_url.rstrip("/") + "/")
    return Response(body, media_type="application/rss+xml; charset=utf-8")


@public.get("/meetings/{meeting_id}", response_model=PublicMeeting)
async def meeting(meeting_id: uuid.UUID, session: SessionDep) -> Response:
    return json_response(await public_meetings.read(session, meeting_id))
