"""Request and response shapes. Inputs forbid unknown fields, so a client that sends
``role`` or ``status`` where it may not learns so instead of being silently ignored."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_serializer,
    field_validator,
    model_validator,
)

from oversight import passwords
from oversight.audit import format_at
from oversight.domain.concerns import (
    ActionTaken,
    ConcernStatus,
    Finding,
    Kind,
    NoteVisibility,
    Priority,
)
from oversight.domain.roles import Role
from oversight.domain.votes import Choice

T = TypeVar("T")

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _password_policy(password: str) -> str:
    """The rules that need no e-mail (API.md): a 422 naming the rule broken."""
    if broken := passwords.broken_rule(password):
        raise ValueError(broken)
    return password


Password = Annotated[
    str,
    Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH),
    AfterValidator(_password_policy),
]
Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$"
    ),
]
CategoryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$"),
]
Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(str.lower)]


def storable(value: str) -> str:
    """Refuse what no database column can hold: NUL characters (PostgreSQL text) and unpaired
    UTF-16 surrogates (not UTF-8), which JSON escapes can smuggle in."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain unpaired surrogate characters") from None
    return value


def _storable_everywhere(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _storable_everywhere(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable_everywhere(key)
            _storable_everywhere(item)
    return value


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _storable_everywhere(value)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


def _password_is_not_email(password: str, email: str) -> None:
    if broken := passwords.broken_rule(password, email):
        raise ValueError(broken)


class RegisterIn(In):
    email: Email
    password: Password
    display_name: Text200

    @model_validator(mode="after")
    def _policy(self) -> Self:
        _password_is_not_email(self.password, self.email)
        return self


class UserCreate(In):
    email: Email
    display_name: Text200
    role: Role
    password: Password
    department_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _policy(self) -> Self:
        _password_is_not_email(self.password, self.email)
        return self


class UserUpdate(In):
    role: Role | None = None
    is_active: bool | None = None
    department_id: uuid.UUID | None = None


class UserPublic(Out):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    department_id: uuid.UUID | None
    is_active: bool
    created_at: datetime


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class RefreshIn(In):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class DepartmentCreate(In):
    code: Code
    name: Text200


class DepartmentPublic(Out):
    id: uuid.UUID
    code: str
    name: str


class CategoryCreate(In):
    code: CategoryCode
    label: Text200
    active: bool = True


class CategoryPublic(Out):
    code: str
    label: str
    active: bool


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    database: Literal["ok"]
    migration: str


class AuditEventPublic(Out):
    """An event exactly as hashed: ``hash`` can be recomputed from these values."""

    seq: int
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    entity_type: str
    entity_id: uuid.UUID | None
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str

    @field_serializer("at")
    def _at(self, at: datetime) -> str:
        return format_at(at)


class AuditHead(BaseModel):
    seq: int = Field(description="0 while the log is empty.")
    hash: str
    at: datetime | None


# Concerns ------------------------------------------------------------------------------------

Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
NoteBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Neighborhood = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Badge = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class LocationIn(In):
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


class ConcernCreate(In):
    kind: Kind
    category: CategoryCode
    summary: Summary
    description: LongText
    occurred_at: AwareDatetime | None = Field(
        default=None, description="When it happened; at most one day in the future."
    )
    location: LocationIn | None = None
    allegations: Annotated[list[AllegationCreate], Field(max_length=50)] = []
    contact_email: Email | None = Field(
        default=None, description="How an anonymous submitter may be reached (optional)."
    )

    @model_validator(mode="after")
    def _not_in_the_future(self) -> Self:
        if self.occurred_at and self.occurred_at > datetime.now(UTC) + timedelta(days=1):
            raise ValueError("occurred_at may not be more than a day in the future")
        return self


class ConcernUpdate(In):
    """Commissioners: priority, category, assignee_id, neighborhood. The submitter:
    description, while the concern is still `submitted`."""

    priority: Priority | None = None
    category: CategoryCode | None = None
    assignee_id: uuid.UUID | None = None
    neighborhood: Neighborhood | None = None
    description: LongText | None = None


class FindingIn(In):
    allegation_id: uuid.UUID
    finding: Finding


class ConcernTransition(In):
    to: ConcernStatus
    reason: Reason | None = Field(default=None, description="Kept in the audit log.")
    public_note: Reason | None = Field(
        default=None, description="Shown to the submitter and on the public status page."
    )
    disposition: Finding | None = None
    findings: Annotated[list[FindingIn], Field(max_length=50)] | None = None
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
    status: str
    priority: Priority | None = None
    disposition: Finding | None
    department_id: uuid.UUID | None
    assignee_id: uuid.UUID | None = None
    submitted_by: uuid.UUID | None = None
    anonymous: bool | None = None
    contact_email: str | None = None
    triage_due_at: datetime
    response_due_at: datetime | None
    overdue: bool
    allowed_transitions: list[str]
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
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    public_note: str | None = None
    data: dict[str, Any] | None = None


class TimelineEntry(BaseModel):
    at: datetime
    status: str
    public_note: str | None


class PublicConcernStatus(BaseModel):
    tracking_code: str
    kind: Kind
    category: str
    status: str
    disposition: Finding | None
    received_on: date
    response_due_on: date | None
    overdue: bool
    timeline: list[TimelineEntry]


# Meetings ------------------------------------------------------------------------------------

MeetingStatus = Literal["scheduled", "in_session", "adjourned", "cancelled"]


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
    kind: Literal["general", "public_comment"]
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
    kind: Literal["concern", "resolution", "general", "public_comment"]
    concern_id: uuid.UUID | None = None
    resolution_id: uuid.UUID | None = None


class AttendanceIn(In):
    commissioner_id: uuid.UUID
    present: bool


class AttendanceOut(Out):
    commissioner_id: uuid.UUID
    present: bool


class MinutesIn(In):
    body: LongText


class MinutesOut(BaseModel):
    body: str
    status: Literal["draft", "approved"]
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
    allowed_transitions: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class PublicAgendaItem(BaseModel):
    position: int
    title: str
    kind: Literal["concern", "resolution", "general", "public_comment"]
    category: str | None = Field(default=None, description="For concern items: the category.")
    resolution_id: uuid.UUID | None = Field(
        default=None, description="For resolution items: see /public/resolutions once decided."
    )


class PublicAttendance(BaseModel):
    commissioner_id: uuid.UUID
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


# Resolutions ---------------------------------------------------------------------------------

ResolutionStatus = Literal["draft", "proposed", "adopted", "rejected", "withdrawn"]
RecommendationStatus = Literal[
    "pending", "accepted", "partially_accepted", "rejected", "implemented"
]


class RecommendationIn(In):
    text: LongText
    department_id: uuid.UUID
    due_at: AwareDatetime | None = None


class ResolutionCreate(In):
    title: Text200
    body: LongText
    concern_ids: Annotated[list[uuid.UUID], Field(max_length=100)] = []
    recommendations: Annotated[list[RecommendationIn], Field(max_length=50)] = []


class ResolutionUpdate(In):
    """Only while draft. `concern_ids` and `recommendations`, when given, replace the lists."""

    title: Text200 | None = None
    body: LongText | None = None
    concern_ids: Annotated[list[uuid.UUID], Field(max_length=100)] | None = None
    recommendations: Annotated[list[RecommendationIn], Field(max_length=50)] | None = None


class ResolutionTransition(In):
    to: Literal["proposed", "withdrawn"]
    meeting_id: uuid.UUID | None = None
    reason: Reason | None = None


class VoteIn(In):
    vote: Choice
    reason: Reason | None = Field(default=None, description="Required when recusing.")


class VoteOut(BaseModel):
    commissioner_id: uuid.UUID
    name: str
    vote: Choice
    reason: str | None


class TallyOut(BaseModel):
    yes: int
    no: int
    abstain: int
    recused: int
    absent: int


class RecommendationOut(Out):
    id: uuid.UUID
    text: str
    department_id: uuid.UUID
    due_at: datetime | None
    status: RecommendationStatus
    department_response: str | None
    version: int


class ResolutionOut(BaseModel):
    id: uuid.UUID
    number: str | None
    title: str
    body: str
    status: ResolutionStatus
    meeting_id: uuid.UUID | None
    concern_ids: list[uuid.UUID]
    recommendations: list[RecommendationOut]
    votes: list[VoteOut]
    tally: TallyOut
    decided_at: datetime | None
    allowed_transitions: list[str] = []
    version: int


class RecommendationResponseIn(In):
    status: Literal["accepted", "partially_accepted", "rejected", "implemented"]
    body: LongText


class Scorecard(BaseModel):
    """Recommendations of adopted resolutions, by the departments' answers."""

    total: int
    by_status: dict[RecommendationStatus, int]
    overdue: int = Field(description="Past their due date and neither implemented nor rejected.")


# Transparency report -------------------------------------------------------------------------

Cells = dict[str, int | None]


MonthText = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class PeriodOut(BaseModel):
    """Whole months, ``YYYY-MM``, both included."""

    model_config = ConfigDict(populate_by_name=True)

    start: MonthText = Field(alias="from")
    end: MonthText = Field(alias="to")


class MonthRow(BaseModel):
    month: MonthText
    received: int | None
    closed: int | None


class ConcernFigures(BaseModel):
    received: int | None
    by_kind: Cells
    by_category: Cells
    by_neighborhood: Cells
    by_status: Cells
    by_month: list[MonthRow]
    dispositions: Cells


class Timeliness(BaseModel):
    median_days_to_triage: float | None
    median_days_to_response: float | None
    p90_days_to_response: float | None
    median_days_to_resolution: float | None
    response_sla_met_pct: float | None
    overdue_open: int | None


class RecommendationFigures(BaseModel):
    """Public record: exact, as on the scorecard."""

    total: int
    by_status: dict[str, int]


class CommissionFigures(BaseModel):
    meetings_held: int
    resolutions_adopted: int
    recommendations: RecommendationFigures
    implementation_rate_pct: float | None


class ChainHead(BaseModel):
    seq: int
    hash: str


class TransparencySummary(BaseModel):
    """Counts from 1 to threshold-1 are null, with complementary suppression per dimension."""

    period: PeriodOut
    generated_at: datetime
    suppression_threshold: int
    concerns: ConcernFigures
    timeliness: Timeliness
    commission: CommissionFigures
    audit_head: ChainHead
