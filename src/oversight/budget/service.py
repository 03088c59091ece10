"""The police budget and operational figures: imported whole (a year's lines, the months a file
covers) as one audited event recording what was imported (its SHA-256), and read publicly.
Totals are sums of integer cents; shares and changes are computed from them exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts import policy as account_policy
from oversight.accounts.models import Department
from oversight.accounts.policy import AdminAction
from oversight.budget.models import BudgetLine, FiscalYear, OperationsFigure
from oversight.budget.rules import (
    BudgetCategory,
    LineIn,
    OperationsIn,
    amount,
    change_pct,
    share_pct,
)
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.csvfile import BadFile, shown
from oversight.core.errors import NotFound, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.periods import Period
from oversight.core.resources import authorize, bump
from oversight.core.roles import Actor

NO_YEAR = "No budget for that year."


def _may(actor: Actor | None) -> None:
    """``actor`` None is the operator at the command line."""
    if actor is not None:
        authorize(account_policy.administration(actor.role, AdminAction.MANAGE_BUDGET))


@dataclass(frozen=True)
class YearIn:
    year: int
    label: str
    starts_on: date
    ends_on: date
    city_total: int


async def import_year(
    session: AsyncSession,
    actor: Actor | None,
    meta: YearIn,
    lines: Sequence[LineIn],
    sha256: str,
    loc: tuple[str, ...] = ("body", "lines"),
) -> dict[str, Any]:
    """Replace ``meta.year``'s lines with ``lines``: all or nothing."""
    _may(actor)
    if meta.ends_on <= meta.starts_on:
        raise Unprocessable("ends_on must be after starts_on.", loc=("body", "ends_on"))
    codes = {line.department for line in lines if line.department}
    found = await session.execute(
        select(Department.code, Department.id).where(Department.code.in_(codes))
    )
    known: dict[str, Any] = {}
    for code, department_id in found:
        known[code] = department_id
    unknown = [
        f"line {line.number or i + 2}: unknown department {shown(line.department)}"
        for i, line in enumerate(lines)
        if line.department and line.department not in known
    ]
    if unknown:
        raise Unprocessable(str(BadFile(unknown)), loc=loc)  # at most ten named, in one line
    police_total = sum(line.adopted for line in lines)
    if meta.city_total < police_total:
        raise Unprocessable(
            f"city_total is less than the police lines' adopted total ({amount(police_total)}).",
            loc=("body", "city_total"),
        )
    now = utcnow()
    year = await session.get(FiscalYear, meta.year, with_for_update=True)
    if year is None:
        year = FiscalYear(year=meta.year, version=0, created_at=now, comment_open=False)
        session.add(year)
    year.label, year.starts_on, year.ends_on = meta.label, meta.starts_on, meta.ends_on
    year.city_total_cents, year.source_sha256 = meta.city_total, sha256
    bump(session, year, EntityType.FISCAL_YEAR, now)
    await session.execute(delete(BudgetLine).where(BudgetLine.year == meta.year))
    await session.flush()
    session.add_all(
        BudgetLine(
            year=meta.year,
            position=i,
            program=line.program,
            category=line.category,
            department_id=known.get(line.department) if line.department else None,
            adopted_cents=line.adopted,
            revised_cents=line.revised,
            actual_cents=line.actual,
        )
        for i, line in enumerate(lines)
    )
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.BUDGET_IMPORTED,
        entity_type=EntityType.FISCAL_YEAR,
        entity_id=None,
        data={
            "year": meta.year,
            "lines": len(lines),
            "police_total": amount(police_total),
            "city_total": amount(meta.city_total),
            "sha256": sha256,
        },
    )
    return await year_view(session, meta.year)


async def lines_of(session: AsyncSession, given: Sequence[Any]) -> list[LineIn]:
    """JSON lines (``BudgetLineIn``, amounts already cents) as an import's lines; a department
    named by id that does not exist is a 422 at its line."""
    ids = {line.department_id for line in given if line.department_id}
    found = await session.execute(
        select(Department.id, Department.code).where(Department.id.in_(ids))
    )
    codes: dict[Any, str] = {}
    for department_id, code in found:
        codes[department_id] = code
    for i, line in enumerate(given):
        if line.department_id and line.department_id not in codes:
            raise Unprocessable("No such department.", loc=("body", "lines", i, "department_id"))
    return [
        LineIn(
            line.program,
            line.category,
            line.adopted,
            line.revised,
            line.actual,
            codes.get(line.department_id),
        )
        for line in given
    ]


async def set_comments(
    session: AsyncSession, actor: Actor, year_number: int, comment_open: bool
) -> dict[str, Any]:
    """Open or close a year's budget lines to residents' comments."""
    _may(actor)
    year = await session.get(FiscalYear, year_number, with_for_update=True)
    if year is None:
        raise NotFound(NO_YEAR)
    if year.comment_open != comment_open:
        year.comment_open = comment_open
        bump(session, year, EntityType.FISCAL_YEAR)
        await session.flush()
        await audit.record(
            session,
            actor=actor,
            action=AuditAction.BUDGET_COMMENTS_CHANGED,
            entity_type=EntityType.FISCAL_YEAR,
            entity_id=None,
            data={"year": year_number, "comment_open": comment_open},
        )
    return await year_view(session, year_number)


def _line_view(line: BudgetLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "program": line.program,
        "category": line.category,
        "department_id": line.department_id,
        "adopted": amount(line.adopted_cents),
        "revised": amount(line.revised_cents),
        "actual": amount(line.actual_cents),
    }


async def _police_totals(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(BudgetLine.year, func.sum(BudgetLine.adopted_cents)).group_by(BudgetLine.year)
    )
    return {year: int(total) for year, total in rows}


def _year_summary(year: FiscalYear, police: int) -> dict[str, Any]:
    return {
        "year": year.year,
        "label": year.label,
        "starts_on": year.starts_on,
        "ends_on": year.ends_on,
        "city_total": amount(year.city_total_cents),
        "police_total": amount(police),
        "police_share_pct": share_pct(police, year.city_total_cents),
        "comment_open": year.comment_open,
    }


async def years(session: AsyncSession) -> list[dict[str, Any]]:
    """Every fiscal year on record, newest first, with its police total and share."""
    totals = await _police_totals(session)
    found = await session.scalars(select(FiscalYear).order_by(FiscalYear.year.desc()))
    return [_year_summary(year, totals.get(year.year, 0)) for year in found]


async def year_view(session: AsyncSession, year_number: int) -> dict[str, Any]:
    """A year: totals of the adopted amounts (the budget as voted), by category, its lines,
    and the change of the police total from the year before, if on record."""
    year = await session.get(FiscalYear, year_number, populate_existing=True)
    if year is None:
        raise NotFound(NO_YEAR)
    lines = list(
        await session.scalars(
            select(BudgetLine).where(BudgetLine.year == year_number).order_by(BudgetLine.position)
        )
    )
    police = sum(line.adopted_cents for line in lines)
    by_category = dict.fromkeys(BudgetCategory, 0)
    for line in lines:
        by_category[BudgetCategory(line.category)] += line.adopted_cents
    actuals = [line.actual_cents for line in lines if line.actual_cents is not None]
    before = await session.scalar(
        select(func.sum(BudgetLine.adopted_cents)).where(BudgetLine.year == year_number - 1)
    )
    return _year_summary(year, police) | {
        "by_category": {category.value: amount(cents) for category, cents in by_category.items()},
        "actual_total": amount(sum(actuals)) if actuals else None,
        "previous_year_change_pct": change_pct(police, before),
        "version": year.version,
        "lines": [_line_view(line) for line in lines],
    }


async def import_operations(
    session: AsyncSession, actor: Actor | None, rows: Sequence[OperationsIn], sha256: str
) -> dict[str, Any]:
    """Replace the months the rows cover with the rows."""
    _may(actor)
    months = sorted({row.month for row in rows})
    await session.execute(delete(OperationsFigure).where(OperationsFigure.month.in_(months)))
    session.add_all(
        OperationsFigure(
            month=row.month,
            neighborhood=row.neighborhood,
            priority=row.priority,
            calls=row.calls,
            median_response_minutes=row.median_response_minutes,
        )
        for row in rows
    )
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.OPERATIONS_IMPORTED,
        entity_type=EntityType.OPERATIONS,
        entity_id=None,
        data={"months": months, "rows": len(rows), "sha256": sha256},
    )
    return {"months": months, "rows": len(rows)}


def _weighted_median(pairs: list[tuple[Decimal, int]]) -> str | None:
    """The median of response minutes over calls, from each row's median weighted by its
    calls: an estimate (the rows carry medians, not every call's minutes)."""
    pairs = sorted((m, n) for m, n in pairs if n > 0)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    seen = 0
    for minutes, n in pairs:
        seen += n
        if 2 * seen >= total:
            return str(minutes)
    return None  # pragma: no cover - the loop always reaches half


async def operations_view(session: AsyncSession, period: Period) -> dict[str, Any]:
    """Calls for service and median response minutes in ``period``, by month, priority and
    neighborhood."""
    months = [str(month) for month in period.months]
    rows = list(
        await session.scalars(select(OperationsFigure).where(OperationsFigure.month.in_(months)))
    )
    groups: dict[str, dict[str, list[tuple[Decimal | None, int]]]] = {
        "by_month": defaultdict(list),
        "by_priority": defaultdict(list),
        "by_neighborhood": defaultdict(list),
    }
    for row in rows:
        for name, key in (
            ("by_month", row.month),
            ("by_priority", row.priority),
            ("by_neighborhood", row.neighborhood),
        ):
            groups[name][key].append((row.median_response_minutes, row.calls))

    def cell(pairs: list[tuple[Decimal | None, int]]) -> dict[str, Any]:
        return {
            "calls": sum(n for _, n in pairs),
            "median_response_minutes": _weighted_median(
                [(m, n) for m, n in pairs if m is not None]
            ),
        }

    return {
        "period": {"from": str(period.first), "to": str(period.last)},
        "calls": sum(row.calls for row in rows),
        **{
            name: {key: cell(pairs) for key, pairs in sorted(group.items())}
            for name, group in groups.items()
        },
    }
