"""Meetings, their agendas and attendance."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
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
from oversight.meetings.enums import AgendaItemKind, MeetingStatus, MinutesStatus


class Meeting(HasId, Base):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(one_of("status", MeetingStatus), name="status"),
        CheckConstraint(one_of("minutes_status", MinutesStatus), name="minutes_status"),
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
        CheckConstraint(one_of("kind", AgendaItemKind), name="kind"),
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
