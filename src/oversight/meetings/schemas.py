"""Meetings: agendas, attendance and minutes, as staff and as the public see them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
)

from oversight.core.schemas import In, LongText, Out, Reason, Text200, only
from oversight.evidence.schemas import PublicAttachment
from oversight.meetings.enums import AgendaItemKind, MeetingStatus, MinutesStatus
from oversight.resolutions.enums import ResolutionStatus
from oversight.resolutions.schemas import PublicVote


class MeetingCreate(In):
    title: Text200
    scheduled_at: AwareDatetime
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    description: LongText | None = None


class MeetingUpdate(In):
    """Moving `scheduled_at` of a scheduled meeting is a postponement; it is audited."""

    title: Text200 | None = None
    scheduled_at: AwareDatetime | None = None
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    description: LongText | None = None


class MeetingTransition(In):
    to: MeetingStatus
    reason: Reason | None = None


class AgendaItemCreate(In):
    """General items and public comment. Concerns join an agenda by moving to `scheduled`."""

    title: Text200
    kind: Annotated[AgendaItemKind, only(AgendaItemKind.GENERAL, AgendaItemKind.PUBLIC_COMMENT)] = (
        Field(description="`general` or `public_comment`.")
    )
    position: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=None, description="1-based; the end of the agenda when left out."
    )


class AgendaItemUpdate(In):
    title: Text200 | None = None
    position: Annotated[int, Field(ge=1, le=1000)] | None = None


class AgendaItemOut(Out):
    id: uuid.UUID
    position: int
    title: str
    kind: AgendaItemKind
    concern_id: uuid.UUID | None = None
    resolution_id: uuid.UUID | None = None


class AttendanceUpdate(In):
    commissioner_id: uuid.UUID
    present: bool


class AttendanceOut(Out):
    commissioner_id: uuid.UUID
    name: str
    present: bool


class MinutesUpdate(In):
    body: LongText


class MinutesOut(BaseModel):
    body: str
    status: MinutesStatus
    approved_at: datetime | None


class MeetingOut(BaseModel):
    id: uuid.UUID
    title: str
    scheduled_at: datetime
    location: str | None
    description: str | None
    status: MeetingStatus
    agenda: list[AgendaItemOut]
    attendance: list[AttendanceOut]
    minutes: MinutesOut | None
    allowed_transitions: list[MeetingStatus]
    version: int
    created_at: datetime
    updated_at: datetime


class PublicDecision(BaseModel):
    """A resolution decided at the meeting: the outcome and every vote, by name."""

    status: ResolutionStatus
    number: str | None = Field(description="Adopted resolutions are numbered.")
    votes: list[PublicVote]


class PublicAgendaItem(BaseModel):
    id: uuid.UUID = Field(
        description="Comment on it (`POST /comments`, target `agenda_item`) until the meeting"
        " adjourns; read its comments at `/public/comments`."
    )
    position: int
    title: str
    kind: AgendaItemKind
    category: str | None = Field(default=None, description="For concern items: the category.")
    resolution_id: uuid.UUID | None = Field(
        default=None, description="For resolution items: see /public/resolutions once decided."
    )
    comments_count: int = Field(description="Its published comments.")
    documents: list[PublicAttachment] = Field(
        default=[], description="Its public documents, oldest first."
    )
    speakers_count: int = Field(description="Residents signed up to speak to this item.")
    decision: PublicDecision | None = Field(
        default=None,
        description="For a resolution decided at this meeting: the outcome and the votes.",
    )


class PublicAttendance(BaseModel):
    """A commissioner's attendance, by name (no account id)."""

    name: str
    present: bool


class PublicMinutes(BaseModel):
    body: str
    approved_at: datetime


class PublicMeeting(BaseModel):
    """A meeting as the public sees it: no concern is identifiable, minutes once approved."""

    id: uuid.UUID
    title: str
    scheduled_at: datetime
    location: str | None
    description: str | None
    status: MeetingStatus
    agenda: list[PublicAgendaItem]
    attendance: list[PublicAttendance]
    minutes: PublicMinutes | None
    speakers_count: int = Field(description="Residents signed up to speak, on any item or none.")
    documents: list[PublicAttachment] = Field(
        default=[], description="The meeting's public documents (agenda packets), oldest first."
    )
