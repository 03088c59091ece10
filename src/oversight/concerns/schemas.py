"""Concerns, their allegations, notes, department responses and timelines, and the
public status view by tracking code."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
)

from oversight.accounts.directory_schemas import CategoryCode
from oversight.accounts.schemas import Email
from oversight.concerns.enums import (
    ActionTaken,
    Channel,
    ConcernStatus,
    DisciplineLevel,
    DisciplineOutcome,
    Finding,
    Kind,
    NoteVisibility,
    Priority,
)
from oversight.core.schemas import In, LongText, NoteBody, Out, Reason, Summary, Text200
from oversight.notifications.enums import Locale
from oversight.officers.schemas import OfficerRef

Neighborhood = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]


Phone = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=40, pattern=r"^\+?[0-9][0-9 ().-]*$"
    ),
]


Badge = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class ConcernSort(StrEnum):
    """The triage queue's orders (``-`` is newest first)."""

    CREATED_AT = "created_at"
    NEWEST = "-created_at"
    PRIORITY = "priority"
    DUE = "due"


class LocationCreate(In):
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    neighborhood: Neighborhood | None = None
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None


class AllegationCreate(In):
    category: CategoryCode
    officer_badge: Badge | None = None
    officer_name: Text200 | None = None
    description: LongText | None = None


class AllegationUpdate(In):
    category: CategoryCode | None = None
    officer_badge: Badge | None = None
    officer_name: Text200 | None = None
    description: LongText | None = None
    finding: Finding | None = None
    officer_id: uuid.UUID | None = Field(
        None,
        description="The roster officer it names (commissioners); `null` unlinks. What the "
        "resident typed (`officer_badge`, `officer_name`) stays.",
    )


Days = Annotated[int, Field(ge=1, le=365)]


class RecommendationIn(In):
    """The commission's recommended discipline; `days` with a suspension only."""

    level: DisciplineLevel
    days: Days | None = None


class DecisionIn(In):
    """The discipline the department imposed, and why; `days` with a suspension only."""

    level: DisciplineLevel
    days: Days | None = None
    reason: Reason


class CorrectionCreate(In):
    """Why the department's recorded decision is to be corrected."""

    reason: Reason


class DisciplineOut(Out):
    recommended: DisciplineLevel
    recommended_days: int | None
    recommended_at: datetime
    imposed: DisciplineLevel | None
    imposed_days: int | None
    imposed_at: datetime | None
    reason: str | None = Field(description="The department's reason for what it imposed.")
    outcome: DisciplineOutcome = Field(
        description="The decision against the recommendation: by level (none < training < "
        "counseling < written_reprimand < suspension < demotion < termination), then by the "
        "days of a suspension."
    )
    correction_open: bool = Field(
        description="A commissioner opened a correction: the department may decide again."
    )


class ConcernCreate(In):
    kind: Kind
    category: CategoryCode
    summary: Summary
    description: LongText
    occurred_at: AwareDatetime | None = Field(
        default=None, description="When it happened; at most one day in the future."
    )
    location: LocationCreate | None = None
    allegations: Annotated[list[AllegationCreate], Field(max_length=50)] = Field(
        default_factory=list
    )
    contact_email: Email | None = Field(
        default=None, description="How an anonymous submitter may be reached (optional)."
    )
    contact_phone: Phone | None = Field(
        default=None, description="A telephone number the submitter gave (optional)."
    )
    locale: Locale | None = Field(
        default=None,
        description="The language of the e-mails to `contact_email` (`en` or `es`; default "
        "`en`). A signed-in resident's account says its own.",
    )
    channel: Channel | None = Field(
        default=None,
        description="How the concern came in. Residents' own submissions are `web` (the "
        "default); commission staff entering a concern taken by telephone, e-mail, letter or in "
        "person must name the channel (`phone`, `email`, `mail`, `walk_in`).",
    )
    on_behalf_of: uuid.UUID | None = Field(
        default=None,
        description="Staff intake only: the id of the resident the concern is taken for; it "
        "becomes theirs as if they had filed it. Without it a staff-entered concern is "
        "anonymous, with the contact details given.",
    )

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, occurred_at: datetime | None) -> datetime | None:
        if occurred_at and occurred_at > datetime.now(UTC) + timedelta(days=1):
            raise ValueError("may not be more than a day in the future")
        return occurred_at


class ConcernUpdate(In):
    """Commissioners: priority, category, assignee_id, neighborhood. The submitter:
    description, while the concern is still `submitted`."""

    priority: Priority | None = None
    category: CategoryCode | None = None
    assignee_id: uuid.UUID | None = None
    neighborhood: Neighborhood | None = None
    description: LongText | None = None
    commended_officer_ids: Annotated[list[uuid.UUID], Field(max_length=20)] | None = Field(
        None,
        description="A commendation's commended roster officers (commissioners); the whole "
        "list, `[]` for none.",
    )


class FindingCreate(In):
    allegation_id: uuid.UUID
    finding: Finding


class ConcernTransition(In):
    to: ConcernStatus
    reason: Reason | None = Field(default=None, description="Kept in the audit log.")
    public_note: Reason | None = Field(
        default=None, description="Shown to the submitter and on the public status page."
    )
    disposition: Finding | None = None
    findings: Annotated[list[FindingCreate], Field(max_length=50)] | None = None
    department_id: uuid.UUID | None = None
    response_due_at: AwareDatetime | None = None
    meeting_id: uuid.UUID | None = None


class LocationOut(Out):
    address: str | None
    neighborhood: str | None
    latitude: float | None
    longitude: float | None


class AllegationOut(Out):
    id: uuid.UUID
    category: str
    officer_badge: str | None
    officer_name: str | None
    description: str | None
    finding: Finding | None
    officer_id: uuid.UUID | None = Field(
        None, description="Omitted for callers who may not see which officer it names."
    )
    officer: OfficerRef | None = Field(
        None, description="The linked roster officer, where the caller may see it."
    )
    discipline: DisciplineOut | None = Field(
        None,
        description="Once the commission recommended discipline, for those who see the "
        "linked officer.",
    )


class ConcernOut(BaseModel):
    """A concern as this caller may see it: fields the caller may not see are omitted."""

    id: uuid.UUID
    tracking_code: str | None = None
    kind: Kind
    category: str
    summary: str
    description: str
    occurred_at: datetime | None
    location: LocationOut
    allegations: list[AllegationOut]
    status: ConcernStatus
    priority: Priority | None = None
    disposition: Finding | None
    department_id: uuid.UUID | None
    assignee_id: uuid.UUID | None = None
    commended_officer_ids: list[uuid.UUID] | None = Field(
        None,
        description="A commendation's commended roster officers, for those who see the "
        "officers named in concerns.",
    )
    submitted_by: uuid.UUID | None = None
    anonymous: bool | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    channel: Channel
    triage_due_at: datetime
    response_due_at: datetime | None
    overdue: bool
    allowed_transitions: list[ConcernStatus]
    version: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class NoteCreate(In):
    body: NoteBody
    visibility: NoteVisibility | None = Field(
        default=None,
        description="Residents may post only `public` notes (their default); staff default to "
        "`internal`.",
    )


class PublicNoteCreate(In):
    body: NoteBody


class NoteOut(Out):
    id: uuid.UUID
    body: str
    visibility: NoteVisibility
    author_id: uuid.UUID | None
    by_submitter: bool
    created_at: datetime


class PublicNote(Out):
    """A note added by tracking code, as its submitter reads it back (no account id)."""

    id: uuid.UUID
    body: str
    visibility: NoteVisibility
    by_submitter: bool
    created_at: datetime


class ResponseCreate(In):
    body: LongText
    action_taken: ActionTaken


class ResponseOut(Out):
    id: uuid.UUID
    concern_id: uuid.UUID
    department_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    action_taken: ActionTaken
    created_at: datetime


class ConcernEventOut(BaseModel):
    """One entry of a concern's timeline. Residents and officers get a redacted view."""

    seq: int
    at: datetime
    action: str
    actor_role: str | None = None
    actor_id: uuid.UUID | None = None
    from_status: ConcernStatus | None = None
    to_status: ConcernStatus | None = None
    reason: str | None = None
    public_note: str | None = None
    data: dict[str, Any] | None = None


class PublicTimelineEntry(BaseModel):
    at: datetime
    status: ConcernStatus
    public_note: str | None


class SubmitterAddition(BaseModel):
    at: datetime
    body: str


class PublicConcernStatus(BaseModel):
    tracking_code: str
    kind: Kind
    category: str
    status: ConcernStatus
    disposition: Finding | None
    received_on: date
    response_due_on: date | None
    overdue: bool
    timeline: list[PublicTimelineEntry]
    added_information: list[SubmitterAddition] = Field(
        description="What the submitter added (by tracking code, or signed in as the "
        "submitter), oldest first: their words and when. Never a staff note."
    )


class StatusCounts(BaseModel):
    """How many concerns are in each status (every status present, zero included)."""

    submitted: int
    triaged: int
    dismissed: int
    withdrawn: int
    referred: int
    responded: int
    under_review: int
    scheduled: int
    resolved: int
    closed: int


class ConcernCounts(BaseModel):
    """Queue badges: the concerns the caller may see, by status, and how many are overdue
    (the current stage's deadline has passed)."""

    by_status: StatusCounts
    overdue: int
