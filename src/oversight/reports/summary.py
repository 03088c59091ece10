"""The public transparency summary: SQL aggregates, then small-cell suppression.

The concerns' figures are summed from monthly aggregates that triggers on ``concerns`` keep in
the transaction of each change (migrations 20261208_01 and 20261209_01, decision 0018), so
that any period costs its months, not its concerns: counts by month and combination of kind,
category, neighbourhood and status, by month and later measure (disposition, answered, closed),
and for the stage times a histogram per month that places a quantile's rank in one bucket,
whose stage times (stored as the open-data export computes them) give its exact value,
interpolated as PostgreSQL's percentile_cont does. No concern row is ever pulled into Python.
Every count about concerns passes through ``reports.suppression``; statistics over fewer
than ``threshold`` records are null. The commission's figures (meetings, resolutions,
recommendations) and the residents' participation (comments published, speakers, proposals
and their supports) are public record and published exactly, as the scorecard publishes
them. Periods are whole months (``core.periods``), and ``by_month``
lists every month of the period. Run it in one snapshot (``Reads.SNAPSHOT``), audit head and
latest signed checkpoint included, so that its figures agree with each other.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from sqlalchemy import ColumnElement, String, column, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Category
from oversight.audit import tree
from oversight.budget import service as budget
from oversight.budget.models import FiscalYear
from oversight.budget.rules import share_per
from oversight.concerns.models import (
    Concern,
    ConcernMonthCell,
    ConcernMonthCount,
    ConcernStageBucket,
    ConcernStageTime,
)
from oversight.core.chain import GENESIS_HASH
from oversight.core.clock import utcnow
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

__all__ = ["WITHHELD", "compute"]


#: Stage times: (name, stage, quantile), each over the received concerns with both times.
STAGES = (
    ("median_days_to_triage", "triage", 0.5),
    ("median_days_to_response", "response", 0.5),
    ("p90_days_to_response", "response", 0.9),
    ("median_days_to_resolution", "resolution", 0.5),
)
#: The dimensions of ``concern_month_cells`` (counted at intake).
CELL_DIMENSIONS = ("kind", "category", "neighborhood", "status")
#: The measures that are a dimension of the summary (a cell's, or ``concern_month_counts``'),
#: by the summary's name.
DIMENSIONS = {
    "by_kind": "kind",
    "by_category": "category",
    "by_neighborhood": "neighborhood",
    "by_status": "status",
    "dispositions": "disposition",
}


class _Aggregates:
    """The concerns' figures for a period, summed from the monthly aggregates the triggers on
    ``concerns`` keep: reading them costs the number of months and combinations of values,
    never the number of concerns."""

    def __init__(self, session: AsyncSession, period: Period) -> None:
        self.session = session
        self.within = (str(period.first), str(period.last))

    async def counts(self) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
        """In one read: every measure's count by value over the period (the values counted at
        all), and by month, all its values summed (the kinds': the concerns received). The
        cells' dimensions are measures here as the later counts' are."""
        cells = ConcernMonthCell
        by_dimension = [
            select(
                literal(dimension, String).label("measure"),
                getattr(cells, dimension).label("value"),
                cells.month,
                func.sum(cells.n).label("n"),
            )
            .where(cells.month.between(*self.within))
            .group_by(getattr(cells, dimension), cells.month)
            for dimension in CELL_DIMENSIONS
        ]
        later = (
            select(
                ConcernMonthCount.measure,
                ConcernMonthCount.value,
                ConcernMonthCount.month,
                func.sum(ConcernMonthCount.n),
            )
            .where(ConcernMonthCount.month.between(*self.within))
            .group_by(ConcernMonthCount.measure, ConcernMonthCount.value, ConcernMonthCount.month)
        )
        rows = (
            await self.session.execute(
                union_all(*by_dimension, later).order_by(column("measure"), column("value"))
            )
        ).all()
        by_value: dict[str, dict[str, int]] = {}
        by_month: dict[str, dict[str, int]] = {}
        for measure, value, month, n in rows:
            values = by_value.setdefault(measure, {})
            values[value] = values.get(value, 0) + int(n)
            months = by_month.setdefault(measure, {})
            months[month] = months.get(month, 0) + int(n)
        totals = {m: {v: n for v, n in values.items() if n > 0} for m, values in by_value.items()}
        return totals, by_month

    async def quantiles(self, stage: str, ps: list[float]) -> tuple[int, dict[float, float]]:
        """The stage times' number and their ``ps``-quantiles, interpolated as PostgreSQL's
        percentile_cont does (k = p(n - 1), between the values of rank floor(k) and the next):
        each rank is found in the histogram, and its value read from its bucket's stage times
        (in order, through their index)."""
        histogram = (
            await self.session.execute(
                select(ConcernStageBucket.bucket, func.sum(ConcernStageBucket.n))
                .where(
                    ConcernStageBucket.stage == stage,
                    ConcernStageBucket.month.between(*self.within),
                )
                .group_by(ConcernStageBucket.bucket)
                .order_by(ConcernStageBucket.bucket)
            )
        ).all()
        buckets = [bucket for bucket, _ in histogram]
        upto = list(accumulate(int(n) for _, n in histogram))  # stage times up to each bucket
        n = upto[-1] if upto else 0

        async def value(rank: int) -> float:
            i = bisect_right(upto, rank)  # the first bucket holding more than ``rank`` times
            stmt = (
                select(ConcernStageTime.days)
                .where(
                    ConcernStageTime.stage == stage,
                    ConcernStageTime.bucket == buckets[i],
                    ConcernStageTime.month.between(*self.within),
                )
                .order_by(ConcernStageTime.days)
                .limit(1)
                .offset(rank - (upto[i - 1] if i else 0))
            )
            found = await self.session.scalar(stmt)
            if found is None:  # never, while the triggers keep both tables
                raise RuntimeError(f"no {stage} time of rank {rank} where the histogram has one")
            return float(found)

        found: dict[float, float] = {}
        for p in ps if n else ():
            k = p * (n - 1)
            low = math.floor(k)
            first = await value(low)
            found[p] = first if k == low else first + (await value(low + 1) - first) * (k - low)
        return n, found


async def _count(session: AsyncSession, model: Any, *where: ColumnElement[bool]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def participation(session: AsyncSession, period: Period) -> dict[str, Any]:
    """Residents' part in the period, exactly (public record, never suppressed): comments
    published that were written in it, speakers and proposals signed up or made in it (the
    proposals by their status now, every status listed), supports given in it."""
    lower, upper = period.lower, period.upper

    def within(column: Any) -> list[ColumnElement[bool]]:
        return [column >= lower, column < upper]

    proposals = dict(
        (
            await session.execute(
                select(Proposal.status, func.count())
                .where(*within(Proposal.created_at))
                .group_by(Proposal.status)
            )
        ).all()
    )
    by_status = {s.value: int(proposals.get(s, 0)) for s in ProposalStatus}
    return {
        "comments_published": await _count(
            session, Comment, Comment.status == CommentStatus.PUBLISHED, *within(Comment.created_at)
        ),
        "speakers": await _count(session, Speaker, *within(Speaker.created_at)),
        "proposals": {"total": sum(by_status.values()), "by_status": by_status},
        "supports": await _count(session, ProposalSupport, *within(ProposalSupport.created_at)),
    }


async def compute(session: AsyncSession, period: Period, threshold: int) -> dict[str, Any]:
    """The summary; run it in a ``Reads.SNAPSHOT`` unit of work, so that its figures agree."""
    lower, upper = period.lower, period.upper
    aggregates = _Aggregates(session, period)
    counts, monthly = await aggregates.counts()
    counted = {name: counts.get(measure, {}) for name, measure in DIMENSIONS.items()}
    counted["by_neighborhood"] = withhold_small_places(counted["by_neighborhood"], threshold)
    month_received = monthly.get("kind", {})  # every concern has a kind
    month_closed = monthly.get("closed", {})
    months = [str(month) for month in period.months]
    received_cells = publish_series({m: month_received.get(m, 0) for m in months}, threshold)
    closed_cells = publish_series({m: month_closed.get(m, 0) for m in months}, threshold)

    stage_times: dict[str, tuple[int, dict[float, float]]] = {}
    for stage_name in dict.fromkeys(stage for _, stage, _ in STAGES):
        wanted = [p for _, stage, p in STAGES if stage == stage_name]
        stage_times[stage_name] = await aggregates.quantiles(stage_name, wanted)

    def stage(stage_name: str, p: float) -> float | None:
        n, values = stage_times[stage_name]
        return None if n == 0 or n < threshold else round(values[p], 1)

    def total(measure: str) -> int:
        return counts.get(measure, {}).get("", 0)

    answered_n, on_time = total("answered"), total("on_time")

    adopted = [
        Resolution.status == ResolutionStatus.ADOPTED,
        Resolution.decided_at >= lower,
        Resolution.decided_at < upper,
    ]
    recommendations = dict(
        (
            await session.execute(
                select(Recommendation.status, func.count())
                .join(Resolution, Resolution.id == Recommendation.resolution_id)
                .where(*adopted)
                .group_by(Recommendation.status)
            )
        ).all()
    )
    by_status = {s.value: int(recommendations.get(s, 0)) for s in RecommendationStatus}
    recommended = sum(by_status.values())
    head = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
    ).first()
    names = await session.execute(select(Category.code, Category.label).order_by(Category.code))
    received = small(sum(counted["by_kind"].values()), threshold)

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
            **{name: stage(stage_name, p) for name, stage_name, p in STAGES},
            "response_sla_met_pct": None
            if answered_n < threshold
            else round(100 * on_time / answered_n, 1),
            "overdue_open": small(
                await _count(session, Concern, Concern.due_sort < utcnow()), threshold
            ),
        },
        "commission": {
            "meetings_held": await _count(
                session,
                Meeting,
                Meeting.status == MeetingStatus.ADJOURNED,
                Meeting.scheduled_at >= lower,
                Meeting.scheduled_at < upper,
            ),
            "resolutions_adopted": await _count(session, Resolution, *adopted),
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
