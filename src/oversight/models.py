"""All tables. Timestamps end in ``_at`` and are stored in UTC."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from oversight.db import Base, utcnow
from oversight.domain.concerns import ActionTaken, ConcernStatus, Finding, Kind, NoteVisibility
from oversight.domain.meetings import AgendaItemKind, MeetingStatus, MinutesStatus
from oversight.domain.resolutions import RecommendationStatus, ResolutionStatus
from oversight.domain.roles import Role
from oversight.domain.votes import Choice


def _in(column: str, values: Iterable[str]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class HasId:
    """A UUID primary key that exists from the moment the object is built.

    A column ``default`` only applies at the flush, so a service that stages an audit event
    naming a new row before anything flushed would record no id (it did: "None" in the log,
    which is append-only). Here the constructor assigns the id, unless one is given, so every
    new row's ``id`` is real before it is even added to the session. (The column default still
    covers Core inserts that bypass the constructor.)
    """

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-1)

    def __init__(self, **values: Any) -> None:
        values.setdefault("id", uuid.uuid4())
        super().__init__(**values)


class Department(HasId, Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Category(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)


class User(HasId, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuthSession(HasId, Base):
    """One sign-in: the family of refresh tokens it rotates through, and its access tokens."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class RefreshToken(HasId, Base):
    __tablename__ = "refresh_tokens"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """One link of the hash chain. Append-only: triggers refuse UPDATE and DELETE.

    No foreign keys point out of or into this table, so no cascade can ever reach it.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id", "seq"),
        Index("ix_audit_events_actor_id_seq", "actor_id", "seq"),
        Index("ix_audit_events_action_seq", "action", "seq"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID | None]
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Concern(HasId, Base):
    __tablename__ = "concerns"
    __table_args__ = (
        CheckConstraint(_in("status", ConcernStatus), name="status"),
        CheckConstraint(_in("kind", Kind), name="kind"),
        CheckConstraint("priority_rank BETWEEN 0 AND 3", name="priority_rank"),
        CheckConstraint(_in("disposition", Finding), name="disposition"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        # The triage queue's sorts and filters, each a keyset scan ending in the id.
        Index("ix_concerns_created_at_id", "created_at", "id"),
        Index("ix_concerns_status_created_at_id", "status", "created_at", "id"),
        Index("ix_concerns_priority_rank_created_at_id", "priority_rank", "created_at", "id"),
        Index("ix_concerns_due_sort_id", "due_sort", "id"),
        Index("ix_concerns_submitted_by_created_at_id", "submitted_by", "created_at", "id"),
        Index("ix_concerns_department_id_created_at_id", "department_id", "created_at", "id"),
        Index("ix_concerns_assignee_id_created_at_id", "assignee_id", "created_at", "id"),
        Index("ix_concerns_neighborhood_created_at_id", "neighborhood", "created_at", "id"),
        Index("ix_concerns_category_created_at_id", "category", "created_at", "id"),
    )

    tracking_code: Mapped[str] = mapped_column(String(17), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(ForeignKey("categories.code", ondelete="RESTRICT"))
    summary: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime | None]
    address: Mapped[str | None] = mapped_column(String(300))
    neighborhood: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=ConcernStatus.SUBMITTED)
    priority_rank: Mapped[int] = mapped_column(SmallInteger, default=1)
    disposition: Mapped[str | None] = mapped_column(String(20))
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    triage_due_at: Mapped[datetime]
    response_due_at: Mapped[datetime | None]
    #: The current stage's deadline (triage while submitted, response while referred), or the
    #: far future when no clock runs: one index serves "soonest due first" and "overdue".
    due_sort: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    triaged_at: Mapped[datetime | None]
    referred_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Allegation(HasId, Base):
    __tablename__ = "allegations"
    __table_args__ = (CheckConstraint(_in("finding", Finding), name="finding"),)

    concern_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("concerns.id", ondelete="RESTRICT"), index=True
    )
    #: Order within the concern, as the submitter listed them and then as added.
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(ForeignKey("categories.code", ondelete="RESTRICT"))
    officer_badge: Mapped[str | None] = mapped_column(String(32))
    officer_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    finding: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConcernNote(HasId, Base):
    __tablename__ = "concern_notes"
    __table_args__ = (
        CheckConstraint(_in("visibility", NoteVisibility), name="visibility"),
        Index("ix_concern_notes_concern_id_created_at", "concern_id", "created_at", "id"),
    )

    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concerns.id", ondelete="RESTRICT"))
    #: None for a note an anonymous submitter added with the tracking code.
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    by_submitter: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PoliceResponse(HasId, Base):
    __tablename__ = "police_responses"
    __table_args__ = (
        CheckConstraint(_in("action_taken", ActionTaken), name="action_taken"),
        Index("ix_police_responses_concern_id_created_at", "concern_id", "created_at", "id"),
    )

    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concerns.id", ondelete="RESTRICT"))
    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a request sent with an Idempotency-Key, kept for replays."""

    __tablename__ = "idempotency_records"
    __table_args__ = (Index("ix_idempotency_records_expires_at", "expires_at"),)

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Meeting(HasId, Base):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(_in("status", MeetingStatus), name="status"),
        CheckConstraint(_in("minutes_status", MinutesStatus), name="minutes_status"),
        Index("ix_meetings_scheduled_at_id", "scheduled_at", "id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.SCHEDULED)
    minutes_body: Mapped[str | None] = mapped_column(Text)
    minutes_status: Mapped[str | None] = mapped_column(String(10))
    minutes_approved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgendaItem(HasId, Base):
    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint(_in("kind", AgendaItemKind), name="kind"),
        Index("ix_agenda_items_meeting_id_position", "meeting_id", "position"),
        Index("ix_agenda_items_concern_id", "concern_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    concern_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("concerns.id", ondelete="RESTRICT")
    )
    resolution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("resolutions.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attendance(Base):
    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), primary_key=True
    )
    commissioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resolution(HasId, Base):
    __tablename__ = "resolutions"
    __table_args__ = (
        CheckConstraint(_in("status", ResolutionStatus), name="status"),
        Index("ix_resolutions_created_at_id", "created_at", "id"),
    )

    #: R-YYYY-NNN, given on adoption, gap-free per year (see ResolutionNumber).
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ResolutionStatus.DRAFT)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), index=True
    )
    decided_at: Mapped[datetime | None]
    #: The tally as it stood when the vote closed (who was active then is history too).
    decided_tally: Mapped[dict[str, int] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResolutionConcern(Base):
    __tablename__ = "resolution_concerns"

    resolution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resolutions.id", ondelete="RESTRICT"), primary_key=True
    )
    concern_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("concerns.id", ondelete="RESTRICT"), primary_key=True
    )


class ResolutionNumber(Base):
    """The last number given per year; incremented in the adopting transaction (no gaps)."""

    __tablename__ = "resolution_numbers"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Recommendation(HasId, Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint(_in("status", RecommendationStatus), name="status"),
        Index("ix_recommendations_resolution_id_position", "resolution_id", "position"),
    )

    resolution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resolutions.id", ondelete="RESTRICT")
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=RecommendationStatus.PENDING)
    department_response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (CheckConstraint(_in("vote", Choice), name="vote"),)

    resolution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resolutions.id", ondelete="RESTRICT"), primary_key=True
    )
    commissioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    vote: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
