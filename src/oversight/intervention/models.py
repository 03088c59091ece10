"""Early intervention's tables: the rules, the flags they raise with their review notes, and
the officers waiting to be evaluated again after a change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
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
from oversight.intervention.enums import FlagLevel, FlagStatus, Metric


class Rule(HasId, Base):
    __tablename__ = "intervention_rules"
    __table_args__ = (
        CheckConstraint(one_of("metric", Metric), name="metric"),
        CheckConstraint("warning_at >= 1 AND critical_at >= warning_at", name="levels"),
    )

    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(40))
    window_days: Mapped[int] = mapped_column(Integer)
    warning_at: Mapped[int] = mapped_column(Integer)
    critical_at: Mapped[int] = mapped_column(Integer)
    #: With it, the rule also fires at or above this percentile of the officer's unit.
    peer_percentile: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Flag(HasId, Base):
    """What a rule found about an officer: open (not closed) at most once per officer and rule."""

    __tablename__ = "intervention_flags"
    __table_args__ = (
        CheckConstraint(one_of("level", FlagLevel), name="level"),
        CheckConstraint(one_of("status", FlagStatus), name="status"),
        Index(
            "uq_intervention_flags_open",
            "officer_id",
            "rule_id",
            unique=True,
            postgresql_where="status <> 'closed'",
            sqlite_where="status <> 'closed'",
        ),
        Index("ix_intervention_flags_last_at_id", "last_at", "id"),
    )

    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officers.id", ondelete="RESTRICT"))
    rule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("intervention_rules.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer)
    #: The officer's percentile among their unit's peers, when the rule compares with peers.
    peer_percentile: Mapped[float | None] = mapped_column(Float)
    window_days: Mapped[int] = mapped_column(Integer)
    #: What counted, as it stood when the count last changed.
    counted: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlagNote(HasId, Base):
    __tablename__ = "intervention_flag_notes"
    __table_args__ = (Index("ix_intervention_flag_notes_flag_id_at", "flag_id", "at"),)

    flag_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("intervention_flags.id", ondelete="RESTRICT")
    )
    by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)


class Pending(Base):
    """An officer whose record changed since the last evaluation (the worker takes them)."""

    __tablename__ = "intervention_pending"

    officer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), primary_key=True
    )
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
