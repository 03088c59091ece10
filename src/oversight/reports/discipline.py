"""Discipline by department and year: what the commission recommended on sustained and
policy-failure findings, and what the department did about it (concurred, departed lower or
higher, or not yet decided), in one SQL statement.

An allegation counts in the year its concern was resolved (when its finding became final),
within whole months of the period. The outcome is compared in SQL as ``discipline_outcome``
compares it in Python: by the level's severity, then by the days of a suspension. Counts are
about people's concerns and are suppressed like every other: a department-year's sustained
allegations split five ways (the four outcomes, and not yet recommended) are one dimension, the
recommended total is published only with all four outcomes, the sustained total on its own;
the concurrence rate is null unless every decided cell is published and there are at least
``threshold`` of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Department
from oversight.concerns.enums import DISCIPLINE_FINDINGS, DisciplineLevel, DisciplineOutcome
from oversight.concerns.models import Allegation, Concern
from oversight.core.db import dialect_name
from oversight.core.periods import Period
from oversight.reports.suppression import publish_series, small

OUTCOMES = tuple(o.value for o in DisciplineOutcome)
NOT_RECOMMENDED = "not_recommended"
DECIDED = (
    DisciplineOutcome.CONCURRED.value,
    DisciplineOutcome.DEPARTED_LOWER.value,
    DisciplineOutcome.DEPARTED_HIGHER.value,
)


def _severity(level: Any, days: Any) -> ColumnElement[int]:
    """A level's rank times 1,000 plus its days: one number that orders two decisions."""
    rank = case({member.value: i for i, member in enumerate(DisciplineLevel)}, value=level)
    return rank * 1000 + func.coalesce(days, 0)


def _year(postgres: bool, column: Any) -> ColumnElement[int]:
    if postgres:
        return cast(func.extract("year", column), Integer)
    return cast(func.strftime(literal_column("'%Y'"), column), Integer)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def rows(session: AsyncSession, period: Period, threshold: int) -> list[dict[str, Any]]:
    """One row per department and year, by department code then year."""
    year = _year(dialect_name(session) == "postgresql", Concern.resolved_at)
    recommended = Allegation.recommended_level.is_not(None)
    decided = recommended & Allegation.imposed_level.is_not(None)
    given = _severity(Allegation.imposed_level, Allegation.imposed_days)
    asked = _severity(Allegation.recommended_level, Allegation.recommended_days)
    stmt = (
        select(
            Department.id,
            Department.code,
            Department.name,
            year.label("year"),
            func.count().label("sustained"),
            _count(recommended).label("recommended"),
            _count(decided & (given == asked)).label(DisciplineOutcome.CONCURRED.value),
            _count(decided & (given < asked)).label(DisciplineOutcome.DEPARTED_LOWER.value),
            _count(decided & (given > asked)).label(DisciplineOutcome.DEPARTED_HIGHER.value),
            _count(recommended & Allegation.imposed_level.is_(None)).label(
                DisciplineOutcome.PENDING.value
            ),
        )
        .select_from(Allegation)
        .join(Concern, Concern.id == Allegation.concern_id)
        .outerjoin(Department, Department.id == Concern.department_id)
        .where(
            Allegation.finding.in_([f.value for f in DISCIPLINE_FINDINGS]),
            Concern.resolved_at >= period.lower,
            Concern.resolved_at < period.upper,
        )
        .group_by(Department.id, Department.code, Department.name, year)
        .order_by(Department.code, year)
    )
    return [_published(row, threshold) for row in (await session.execute(stmt)).mappings()]


def _published(row: Any, threshold: int) -> dict[str, Any]:
    """The sustained allegations split five ways (the four outcomes, and not recommended) are
    one dimension: a total and its parts never give away a small difference between them."""
    cells = {name: row[name] for name in OUTCOMES}
    cells[NOT_RECOMMENDED] = row["sustained"] - row["recommended"]
    shown = publish_series(cells, threshold)
    outcomes = {name: shown[name] for name in OUTCOMES}
    recommended = None if None in outcomes.values() else row["recommended"]
    decided = sum(row[name] for name in DECIDED)
    rate = (
        round(100 * row[DisciplineOutcome.CONCURRED.value] / decided, 1)
        if decided >= threshold and None not in (outcomes[name] for name in DECIDED)
        else None
    )
    return {
        "department": None
        if row["id"] is None
        else {"id": row["id"], "code": row["code"], "name": row["name"]},
        "year": row["year"],
        "sustained": small(row["sustained"], threshold),
        "recommended": recommended,
        **outcomes,
        "concurrence_rate_pct": rate,
    }
