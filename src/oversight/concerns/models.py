"""Concerns and their parts: allegations, notes, police responses; idempotency records."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from oversight.concerns.enums import (
    ActionTaken,
    Channel,
    ConcernStatus,
    DisciplineLevel,
    Finding,
    Kind,
    NoteVisibility,
)
from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of


class Concern(HasId, Base):
    __tablename__ = "concerns"
    __table_args__ = (
        CheckConstraint(one_of("status", ConcernStatus), name="status"),
        CheckConstraint(one_of("kind", Kind), name="kind"),
        CheckConstraint(one_of("channel", Channel), name="channel"),
        CheckConstraint("priority_rank BETWEEN 0 AND 3", name="priority_rank"),
        CheckConstraint(one_of("disposition", Finding), name="disposition"),
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
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    #: The language of the messages to an anonymous submitter's ``contact_email``.
    contact_locale: Mapped[str | None] = mapped_column(String(5))
    channel: Mapped[str] = mapped_column(
        String(20), default=Channel.WEB, server_default=Channel.WEB.value
    )
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


class ConcernCount(Base):
    """How many concerns are in each status, by department: kept by triggers on ``concerns``
    (migration 20261126_08), so that queue badges never count a million rows. Each change adds
    its +1/-1 to one of 16 shards at random, so concurrent intakes do not queue on one row;
    a count is the sum over shards."""

    __tablename__ = "concern_counts"

    #: The concern's department, or ``NO_DEPARTMENT`` (a primary key cannot hold NULL).
    department_key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


NO_DEPARTMENT = uuid.UUID(int=0)


class ConcernMonthCell(Base):
    """The transparency summary's counts known at intake: how many concerns received in a
    month (UTC) have this kind, category, neighbourhood and status (``unknown`` where there is
    none), one row per combination, so that an intake adds to one row. Kept by triggers on
    ``concerns`` (migration 20261209_01), spread over shards as ``concern_counts`` is; a
    figure is the sum over shards, months and the other dimensions."""

    __tablename__ = "concern_month_cells"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    neighborhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ConcernMonthCount(Base):
    """The transparency summary's counts known after intake, per month a concern was received
    (UTC) and ``measure``: disposition (a value each), answered and on_time (value ""); and
    ``closed``, per month it was closed. Kept by the same triggers (migrations 20261208_01 and
    20261209_01), sharded; a figure is the sum over shards and months."""

    __tablename__ = "concern_month_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ConcernStageTime(Base):
    """A concern's time in one stage (``triage``: received to triaged; ``response``: referred
    to first response; ``resolution``: received to resolved), in days, as the summary computes
    it, with its month received and its histogram ``bucket`` (monotone in ``days``). Kept by
    the same triggers."""

    __tablename__ = "concern_stage_times"
    __table_args__ = (
        Index("ix_concern_stage_times_stage_bucket_days_month", "stage", "bucket", "days", "month"),
    )

    concern_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(10), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    bucket: Mapped[int] = mapped_column(Integer)
    days: Mapped[float] = mapped_column(Float)


class ConcernStageBucket(Base):
    """How many stage times fall in each ``bucket``, per stage and month received, sharded:
    where a quantile's rank lies, without reading the stage times."""

    __tablename__ = "concern_stage_buckets"

    stage: Mapped[str] = mapped_column(String(10), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class Allegation(HasId, Base):
    __tablename__ = "allegations"
    __table_args__ = (
        CheckConstraint(one_of("finding", Finding), name="finding"),
        CheckConstraint(one_of("recommended_level", DisciplineLevel), name="recommended_level"),
        CheckConstraint(one_of("imposed_level", DisciplineLevel), name="imposed_level"),
    )

    concern_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("concerns.id", ondelete="RESTRICT"), index=True
    )
    #: Order within the concern, as the submitter listed them and then as added.
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(ForeignKey("categories.code", ondelete="RESTRICT"))
    officer_badge: Mapped[str | None] = mapped_column(String(32))
    officer_name: Mapped[str | None] = mapped_column(String(200))
    #: The roster officer a commissioner linked it to; what the resident typed stays above.
    officer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("officers.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    finding: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Discipline: what the commission recommended, and what the department imposed and why.
    recommended_level: Mapped[str | None] = mapped_column(String(20))
    recommended_days: Mapped[int | None] = mapped_column(Integer)
    recommended_at: Mapped[datetime | None]
    imposed_level: Mapped[str | None] = mapped_column(String(20))
    imposed_days: Mapped[int | None] = mapped_column(Integer)
    imposed_at: Mapped[datetime | None]
    imposed_reason: Mapped[str | None] = mapped_column(Text)
    #: Why a commissioner opened a correction of the decision; None when none is open.
    correction_reason: Mapped[str | None] = mapped_column(Text)


class CommendedOfficer(Base):
    """A roster officer a commendation commends (linked by a commissioner)."""

    __tablename__ = "commended_officers"

    concern_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("concerns.id", ondelete="RESTRICT"), primary_key=True
    )
    officer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("officers.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ConcernNote(HasId, Base):
    __tablename__ = "concern_notes"
    __table_args__ = (
        CheckConstraint(one_of("visibility", NoteVisibility), name="visibility"),
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
        CheckConstraint(one_of("action_taken", ActionTaken), name="action_taken"),
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
