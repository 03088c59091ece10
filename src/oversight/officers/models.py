"""The roster: sworn officers and their dated assignments (rank and unit)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of
from oversight.officers.enums import OfficerStatus


class RosterOfficer(HasId, Base):
    """A sworn member of the department, whether or not they have an account (the account
    role ``officer`` is ``Role.OFFICER``; this is the roster)."""

    __tablename__ = "officers"
    __table_args__ = (
        UniqueConstraint("department_id", "badge"),
        CheckConstraint(one_of("status", OfficerStatus), name="status"),
        Index("ix_officers_last_name_first_name_id", "last_name", "first_name", "id"),
        Index("ix_officers_unit", "department_id", "unit"),
    )

    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    badge: Mapped[str] = mapped_column(String(32))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))
    hired_on: Mapped[date | None] = mapped_column(Date)
    separated_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def ref(self) -> dict[str, Any]:
        """The reference an allegation, a candidate or a flag shows (``OfficerRef``)."""
        return {
            "id": self.id,
            "badge": self.badge,
            "display_name": f"{self.first_name} {self.last_name}",
            "department_id": self.department_id,
        }


class Assignment(HasId, Base):
    """Where an officer served, and at what rank, from ``starts_on`` until ``ends_on`` (open
    while current): a new one begins when a roster import or an edit changes rank or unit."""

    __tablename__ = "officer_assignments"
    __table_args__ = (
        Index("ix_officer_assignments_officer_id_starts_on", "officer_id", "starts_on"),
    )

    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officers.id", ondelete="RESTRICT"))
    unit: Mapped[str] = mapped_column(String(100))
    rank: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
