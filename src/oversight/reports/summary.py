"""The public transparency summary: SQL aggregates, then small-cell suppression.

Two passes over the period's concerns do most of the work: one for the totals, the stage-time
quantiles (PostgreSQL's percentile_cont with FILTER) and the SLA, one for every dimension's
counts (GROUPING SETS on PostgreSQL; one GROUP BY per dimension on SQLite, whose quantiles are
the two ordered neighbours of the quantile, LIMIT 2 OFFSET k, interpolated). No concern row is
ever pulled into Python. Every count about concerns passes through ``reports.suppression``;
statistics over fewer than ``threshold`` records are null. The commission's figures (meetings,
resolutions, recommendations) and the residents' participation (comments published,
speakers, proposals and their supports) are public record and published exactly, as the
scorecard publishes them. Periods are whole months (``core.periods``), and ``by_month``
lists every month of the period. Run it in one snapshot (``Reads.SNAPSHOT``), audit head and
latest signed checkpoint included, so that its figures agree with each other.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Category
from oversight.audit import tree
from oversight.budget import service as budget
from oversight.budget.models import FiscalYear
from oversight.budget.rules import share_per
from oversight.concerns.models import Concern
from oversight.core.chain import GENESIS_HASH
from oversight.core.clock import utcnow
from oversight.core.db import dialect_name
from oversight.core.models import AuditEvent
from oversight.core.periods import Period
from oversight.meetings.enums import MeetingStatus
from oversight.meetings.models import Meeting
from oversight.reports import discipline
from oversight.reports.suppression import (
    WITHHELD,
    publish,
    publish_series,
    small,
    withhold_small_places,
)
from oversight.resolutions.enums import RecommendationStatus, ResolutionStatus
from oversight.resolutions.models import Recommendation, Resolution
from oversight.voice.enums import CommentStatus, ProposalStatus
from oversight.voice.models import Comment, Proposal, ProposalSupport, Speaker

__all__ = ["UNKNOWN", "WITHHELD", "compute", "days_between", "month_of"]

UNKNOWN = "unknown"


def days_between(postgres: bool, start: Any, end: Any) -> ColumnElement[float]:
    """Days from ``start`` to ``end`` as a float, in SQL."""
    if postgres:
        return cast(func.extract("epoch", end - start) / 86400.0, Float)
    return cast(func.julianday(end) - func.julianday(start), Float)


def month_of(postgres: bool, column: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp, in SQL (the format a constant, so that GROUP BY matches it)."""
    if postgres:
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


#: Stage times: (name, start, end, quantile), each over the received concerns with both times.
STAGES = (
    ("median_days_to_triage", Concern.created_at, Concern.triaged_at, 0.5),
    ("median_days_to_response", Concern.referred_at, Concern.first_response_at, 0.5),
    ("p90_days_to_response", Concern.referred_at, Concern.first_response_at, 0.9),
    ("median_days_to_resolution", Concern.created_at, Concern.resolved_at, 0.5),
)


class _Query:
    """The report's SQL, bound to one session and its dialect."""

    def __init__(self, session: AsyncSession, received: list[ColumnElement[bool]]) -> None:
        self.session = session
        self.postgres = dialect_name(session) == "postgresql"
        self.received = received

    async def count(self, model: Any, *where: ColumnElement[bool]) -> int:
        return int(
            await self.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )

    async def grouped(self, stmt: Select[Any, Any]) -> dict[str, int]:
        return {str(key): int(n) for key, n in (await self.session.execute(stmt)).all()}

    def days(self, start: Any, end: Any) -> ColumnElement[float]:
        return days_between(self.postgres, start, end)

    async def scalars(self) -> dict[str, Any]:
        """One pass over the received concerns: their number, each stage's number of records
        and quantile (PostgreSQL; SQLite's quantiles come after), and the response SLA."""
        columns: list[Any] = [func.count().label("received")]
        for name, start, end, p in STAGES:
            both = and_(start.is_not(None), end.is_not(None))
            columns.append(func.count().filter(both).label(f"n_{name}"))
            if self.postgres:
                ordered = func.percentile_cont(p).within_group(self.days(start, end))
                columns.append(ordered.filter(both).label(name))
        answered = Concern.first_response_at.is_not(None)
        on_time = Concern.first_response_at <= Concern.response_due_at
        columns += [
            func.count().filter(answered).label("answered"),
            func.count().filter(on_time).label("on_time"),
        ]
        row = (await self.session.execute(select(*columns).where(*self.received))).one()
        found = dict(row._mapping)
        if not self.postgres:
            for name, start, end, p in STAGES:
                present: list[ColumnElement[bool]] = [start.is_not(None), end.is_not(None)]
                found[name] = await self._offset_quantile(
                    self.days(start, end), present, p, found[f"n_{name}"]
                )
        return found

    async def _offset_quantile(
        self, value: ColumnElement[float], where: list[ColumnElement[bool]], p: float, n: int
    ) -> float | None:
        """The p-quantile of ``value`` over ``n`` rows, interpolated as percentile_cont does,
        from its two ordered neighbours (LIMIT 2 OFFSET k)."""
        if n == 0:
            return None
        k = p * (n - 1)
        low = math.floor(k)
        stmt = select(value).where(*self.received, *where).order_by(value).limit(2).offset(low)
        pair = [float(v) for v in (await self.session.scalars(stmt)).all()]
        if len(pair) == 1 or k == low:
            return pair[0]
        return pair[0] + (pair[1] - pair[0]) * (k - low)

    async def dimensions(self, keys: dict[str, Any]) -> dict[str, dict[str, int]]:
        """Counts of the received concerns by each key, in one pass on PostgreSQL (GROUPING
        SETS), one GROUP BY each on SQLite. A NULL key is left out."""
        found: dict[str, dict[str, int]] = {name: {} for name in keys}
        if self.postgres:
            flags = [func.grouping(key) for key in keys.values()]
            stmt = (
                select(*flags, *keys.values(), func.count())
                .where(*self.received)
                .group_by(func.grouping_sets(*keys.values()))
            )
            width = len(keys)
            for row in (await self.session.execute(stmt)).all():
                for i, name in enumerate(keys):
                    if row[i] == 0 and row[width + i] is not None:
                        found[name][str(row[width + i])] = int(row[-1])
            return found
        for name, key in keys.items():
            stmt = select(key, func.count()).where(*self.received, key.is_not(None)).group_by(key)
            found[name] = await self.grouped(stmt)
        return found


async def participation(session: AsyncSession, period: Period) -> dict[str, Any]:
    """Residents' part in the period, exactly (public record, never suppressed): comments
    published that were written in it, speakers and proposals signed up or made in it (the
    proposals by their status now, every status listed), supports given in it."""
    lower, upper = period.lower, period.upper
    q = _Query(session, [])

    def within(column: Any) -> list[ColumnElement[bool]]:
        return [column >= lower, column < upper]

    proposals = await q.grouped(
        select(Proposal.status, func.count())
        .where(*within(Proposal.created_at))
        .group_by(Proposal.status)
    )
    by_status = {s.value: proposals.get(s, 0) for s in ProposalStatus}
    return {
        "comments_published": await q.count(
            Comment, Comment.status == CommentStatus.PUBLISHED, *within(Comment.created_at)
        ),
        "speakers": await q.count(Speaker, *within(Speaker.created_at)),
        "proposals": {"total": sum(by_status.values()), "by_status": by_status},
        "supports": await q.count(ProposalSupport, *within(ProposalSupport.created_at)),
    }


async def compute(session: AsyncSession, period: Period, threshold: int) -> dict[str, Any]:
    """The summary; run it in a ``Reads.SNAPSHOT`` unit of work, so that its figures agree."""
    lower, upper = period.lower, period.upper
    q = _Query(session, [Concern.created_at >= lower, Concern.created_at < upper])

    def known(column: Any) -> ColumnElement[Any]:
        return func.coalesce(column, literal_column(f"'{UNKNOWN}'"))

    scalars = await q.scalars()
    counted = await q.dimensions(
        {
            "by_kind": known(Concern.kind),
            "by_category": known(Concern.category),
            "by_neighborhood": known(Concern.neighborhood),
            "by_status": known(Concern.status),
            "dispositions": Concern.disposition,
            "by_month": month_of(q.postgres, Concern.created_at),
        }
    )
    month_received = counted.pop("by_month")
    counted["by_neighborhood"] = withhold_small_places(counted["by_neighborhood"], threshold)
    closed_in = month_of(q.postgres, Concern.closed_at)
    month_closed = await q.grouped(
        select(closed_in, func.count())
        .where(Concern.closed_at >= lower, Concern.closed_at < upper)
        .group_by(closed_in)
    )
    months = [str(month) for month in period.months]
    received_cells = publish_series({m: month_received.get(m, 0) for m in months}, threshold)
    closed_cells = publish_series({m: month_closed.get(m, 0) for m in months}, threshold)

    def stage(name: str) -> float | None:
        value, n = scalars[name], scalars[f"n_{name}"]
        return None if value is None or n < threshold else round(float(value), 1)

    answered_n, on_time = scalars["answered"], scalars["on_time"]

    adopted = [
        Resolution.status == ResolutionStatus.ADOPTED,
        Resolution.decided_at >= lower,
        Resolution.decided_at < upper,
    ]
    recommendations = await q.grouped(
        select(Recommendation.status, func.count())
        .join(Resolution, Resolution.id == Recommendation.resolution_id)
        .where(*adopted)
        .group_by(Recommendation.status)
    )
    by_status = {s.value: recommendations.get(s, 0) for s in RecommendationStatus}
    recommended = sum(by_status.values())
    head = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
    ).first()
    names = await session.execute(select(Category.code, Category.label).order_by(Category.code))
    received = small(scalars["received"], threshold)

    return {
        "period": {"from": str(period.first), "to": str(period.last)},
        "generated_at": utcnow(),
        "suppression_threshold": threshold,
        "concerns": {
            "received": received,
            **{name: publish(cells, threshold) for name, cells in counted.items()},
            "by_month": [
                {"month": m, "received": received_cells[m], "closed": closed_cells[m]}
                for m in months
            ],
        },
        "timeliness": {
            **{name: stage(name) for name, *_ in STAGES},
            "response_sla_met_pct": None
            if answered_n < threshold
            else round(100 * on_time / answered_n, 1),
            "overdue_open": small(await q.count(Concern, Concern.due_sort < utcnow()), threshold),
        },
        "commission": {
            "meetings_held": await q.count(
                Meeting,
                Meeting.status == MeetingStatus.ADJOURNED,
                Meeting.scheduled_at >= lower,
                Meeting.scheduled_at < upper,
            ),
            "resolutions_adopted": await q.count(Resolution, *adopted),
            "recommendations": {
                "total": recommended,
                "by_status": by_status,
            },
            "implementation_rate_pct": None
            if recommended == 0
            else round(100 * by_status[RecommendationStatus.IMPLEMENTED.value] / recommended, 1),
        },
        "participation": await participation(session, period),
        "budget": await budget_section(session, period),
        "operations": await operations_section(session, period, received),
        "discipline": await discipline.rows(session, period, threshold),
        "category_names": dict(names.all()),
        "audit_head": {"seq": head.seq if head else 0, "hash": head.hash if head else GENESIS_HASH},
        "checkpoint": await tree.named(session),
    }


async def budget_section(session: AsyncSession, period: Period) -> dict[str, Any] | None:
    """The fiscal year the period ends in, else the latest that began before its end; and the
    police totals of every year on record up to it."""
    chosen = await session.scalar(
        select(FiscalYear.year)
        .where(FiscalYear.starts_on < period.upper.date())
        .order_by(FiscalYear.year.desc())
        .limit(1)
    )
    if chosen is None:
        return None
    year = await budget.year_view(session, chosen)
    trend = [
        {k: y[k] for k in ("year", "police_total", "police_share_pct")}
        for y in reversed(await budget.years(session))
        if y["year"] <= chosen
    ]
    keys = (
        "year",
        "label",
        "starts_on",
        "ends_on",
        "police_total",
        "city_total",
        "police_share_pct",
        "by_category",
    )
    return {key: year[key] for key in keys} | {"trend": trend}


async def operations_section(
    session: AsyncSession, period: Period, received: int | None
) -> dict[str, Any]:
    figures = await budget.operations_view(session, period)
    calls = figures["calls"]
    per_10k = None if not calls or received is None else share_per(received, calls, 10_000)
    return {
        "calls": calls,
        "median_response_minutes_by_priority": {
            priority: cell["median_response_minutes"]
            for priority, cell in figures["by_priority"].items()
        },
        "concerns_per_10k_calls": per_10k,
    }
