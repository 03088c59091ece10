"""The police budget by fiscal year, and monthly operational figures (calls for service)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from oversight.budget.rules import BudgetCategory, CallPriority
from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of


class FiscalYear(Base):
    """A city fiscal year: the general fund's total, and whether its police lines take
    comments. Amounts are integer cents."""

    __tablename__ = "fiscal_years"
    __table_args__ = (CheckConstraint("city_total_cents >= 0", name="city_total"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    city_total_cents: Mapped[int] = mapped_column(BigInteger)
    comment_open: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The SHA-256 of what was last imported for the year.
    source_sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BudgetLine(HasId, Base):
    __tablename__ = "budget_lines"
    __table_args__ = (
        CheckConstraint(one_of("category", BudgetCategory), name="category"),
        CheckConstraint(
            "adopted_cents >= 0 AND (revised_cents IS NULL OR revised_cents >= 0) "
            "AND (actual_cents IS NULL OR actual_cents >= 0)",
            name="amounts",
        ),
    )

    year: Mapped[int] = mapped_column(
        ForeignKey("fiscal_years.year", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    program: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    adopted_cents: Mapped[int] = mapped_column(BigInteger)
    revised_cents: Mapped[int | None] = mapped_column(BigInteger)
    actual_cents: Mapped[int | None] = mapped_column(BigInteger)


class OperationsFigure(Base):
    """Calls for service in a month, neighborhood and priority, and their median response."""

    __tablename__ = "operations_figures"
    __table_args__ = (
        CheckConstraint(one_of("priority", CallPriority), name="priority"),
        CheckConstraint("calls >= 0", name="calls"),
    )

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    neighborhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    priority: Mapped[str] = mapped_column(String(1), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    median_response_minutes: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
