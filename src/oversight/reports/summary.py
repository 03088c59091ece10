"""The public transparency summary: SQL aggregates, then small-cell suppression.

Counts are GROUP BY queries; medians and the 90th percentile are PostgreSQL's percentile_cont,
or on SQLite the two ordered neighbours of the quantile (LIMIT 2 OFFSET k), interpolated; no
concern row is ever pulled into Python. Every count passes through ``domain.suppression``;
statistics over fewer than ``threshold`` records are null. On PostgreSQL the whole report,
audit head included, is read in one REPEATABLE READ snapshot; SQLite's write-locked
transaction gives the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.audit import GENESIS_HASH
from oversight.db import dialect_name, utcnow
from oversight.domain.machines import RECOMMENDATION_STATUSES
from oversight.domain.suppression import suppress
from oversight.models import AuditEvent, Concern, Meeting, Recommendation, Resolution

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def default(cls, today: date) -> Period:
        """The 12 months up to and including today."""
        return cls(today - timedelta(days=364), today)

    @property
    def lower(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def upper(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


def days_between(postgres: bool, start: Any, end: Any) -> ColumnElement[float]:
    """Days from ``start`` to ``end`` as a float, in SQL."""
    if postgres:
        return cast(func.extract("epoch", end - start) / 86400.0, Float)
    return cast(func.julianday(end) - func.julianday(start), Float)


def month_of(postgres: bool, column: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp, in SQL."""
    return func.to_char(column, "YYYY-MM") if postgres else func.strftime("%Y-%m", column)


class _Query:
    """The report's SQL, bound to one session and its dialect."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.postgres = dialect_name(session) == "postgresql"

    async def count(self, model: Any, *where: ColumnElement[bool]) -> int:
        return int(
            await self.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )

    async def grouped(self, stmt: Select[Any, Any]) -> dict[str, int]:
        return {str(key): int(n) for key, n in (await self.session.execute(stmt)).all()}

    def days(self, start: Any, end: Any) -> ColumnElement[float]:
        return days_between(self.postgres, start, end)

    def month(self, column: Any) -> ColumnElement[str]:
        return month_of(self.postgres, column)

    async def quantile(
        self, value: ColumnElement[float], where: list[ColumnElement[bool]], p: float
    ) -> tuple[float | None, int]:
        """The p-quantile of ``value`` (linear interpolation, as percentile_cont) and n."""
        n = await self.count(Concern, *where)
        if n == 0:
            return None, 0
        if self.postgres:
            stmt = select(func.percentile_cont(p).within_group(value)).where(*where)
            return float(await self.session.scalar(stmt) or 0.0), n
        k = p * (n - 1)
        low = math.floor(k)
        stmt = select(value).where(*where).order_by(value).limit(2).offset(low)
        pair = [float(v) for v in (await self.session.scalars(stmt)).all()]
        if len(pair) == 1 or k == low:
            return pair[0], n
        return pair[0] + (pair[1] - pair[0]) * (k - low), n


async def compute(session: AsyncSession, period: Period, threshold: int) -> dict[str, Any]:
    """The summary; run it in a ``Reads.SNAPSHOT`` unit of work, so that its figures agree."""
    q = _Query(session)
    lower, upper = period.lower, period.upper
    received = [Concern.created_at >= lower, Concern.created_at < upper]

    def small(count: int) -> int | None:
        return None if 0 < count < threshold else count

    def by(column: Any) -> Select[Any, Any]:
        key = func.coalesce(column, literal(UNKNOWN))
        return select(key, func.count()).where(*received).group_by(key)

    total = await q.count(Concern, *received)
    dimensions = {
        "by_kind": await q.grouped(by(Concern.kind)),
        "by_category": await q.grouped(by(Concern.category)),
        "by_neighborhood": await q.grouped(by(Concern.neighborhood)),
        "by_status": await q.grouped(by(Concern.status)),
        "dispositions": await q.grouped(
            select(Concern.disposition, func.count())
            .where(*received, Concern.disposition.is_not(None))
            .group_by(Concern.disposition)
        ),
    }
    received_in, closed_in = q.month(Concern.created_at), q.month(Concern.closed_at)
    month_received = await q.grouped(
        select(received_in, func.count()).where(*received).group_by(received_in)
    )
    month_closed = await q.grouped(
        select(closed_in, func.count())
        .where(Concern.closed_at >= lower, Concern.closed_at < upper)
        .group_by(closed_in)
    )
    months = sorted(set(month_received) | set(month_closed))
    received_cells = suppress({m: month_received.get(m, 0) for m in months}, threshold).cells
    closed_cells = suppress({m: month_closed.get(m, 0) for m in months}, threshold).cells

    async def days(start: Any, end: Any, p: float) -> float | None:
        where = [*received, start.is_not(None), end.is_not(None)]
        value, n = await q.quantile(q.days(start, end), where, p)
        return None if value is None or n < threshold else round(value, 1)

    answered = [*received, Concern.first_response_at.is_not(None)]
    answered_n = await q.count(Concern, *answered)
    on_time = await q.count(
        Concern, *answered, Concern.first_response_at <= Concern.response_due_at
    )

    adopted = [
        Resolution.status == "adopted",
        Resolution.decided_at >= lower,
        Resolution.decided_at < upper,
    ]
    recommendations = await q.grouped(
        select(Recommendation.status, func.count())
        .join(Resolution, Resolution.id == Recommendation.resolution_id)
        .where(*adopted)
        .group_by(Recommendation.status)
    )
    by_status = {s: recommendations.get(s, 0) for s in RECOMMENDATION_STATUSES}
    recommended = sum(by_status.values())
    head = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
    ).first()

    return {
        "period": {"from": period.start, "to": period.end},
        "generated_at": utcnow(),
        "suppression_threshold": threshold,
        "concerns": {
            "received": small(total),
            **{name: suppress(cells, threshold).cells for name, cells in dimensions.items()},
            "by_month": [
                {"month": m, "received": received_cells[m], "closed": closed_cells[m]}
                for m in months
            ],
        },
        "timeliness": {
            "median_days_to_triage": await days(Concern.created_at, Concern.triaged_at, 0.5),
            "median_days_to_response": await days(
                Concern.referred_at, Concern.first_response_at, 0.5
            ),
            "p90_days_to_response": await days(Concern.referred_at, Concern.first_response_at, 0.9),
            "median_days_to_resolution": await days(Concern.created_at, Concern.resolved_at, 0.5),
            "response_sla_met_pct": None
            if answered_n < threshold
            else round(100 * on_time / answered_n, 1),
            "overdue_open": small(await q.count(Concern, Concern.due_sort < utcnow())),
        },
        "commission": {
            "meetings_held": await q.count(
                Meeting,
                Meeting.status == "adjourned",
                Meeting.scheduled_at >= lower,
                Meeting.scheduled_at < upper,
            ),
            "resolutions_adopted": await q.count(Resolution, *adopted),
            "recommendations": {
                "total": recommended,
                "by_status": suppress(by_status, threshold).cells,
            },
            "implementation_rate_pct": None
            if recommended < threshold
            else round(100 * by_status["implemented"] / recommended, 1),
        },
        "audit_head": {"seq": head.seq if head else 0, "hash": head.hash if head else GENESIS_HASH},
    }
