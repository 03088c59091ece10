"""Resolutions, their concerns, numbers, recommendations and votes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of
from oversight.resolutions.enums import RecommendationStatus, ResolutionStatus
from oversight.resolutions.voting import Choice


class Resolution(HasId, Base):
    __tablename__ = "resolutions"
    __table_args__ = (
        CheckConstraint(one_of("status", ResolutionStatus), name="status"),
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
        CheckConstraint(one_of("status", RecommendationStatus), name="status"),
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
    __table_args__ = (CheckConstraint(one_of("vote", Choice), name="vote"),)

    resolution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resolutions.id", ondelete="RESTRICT"), primary_key=True
    )
    commissioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    vote: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
