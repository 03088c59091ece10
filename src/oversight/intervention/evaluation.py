"""The evaluation: each active rule counted for every officer in one SQL statement, flags raised,
updated or raised again, idempotently (one open flag per officer and rule).

A rule counts, per officer, what its metric names among the concerns received in its window;
with ``peer_percentile`` it also compares the officer with the officers of the same unit
(department and unit; active or on leave, zeros included): ``cume_dist()`` over the unit's
counts is the share of peers at or below the officer's count, so "at or above the p-th
percentile" is ``cume_dist >= p / 100`` (and a count above zero: a unit of zeros flags nobody).
Window functions run on both databases, so SQLite evaluates as PostgreSQL does.

A flag is raised when a rule fires and no flag of that rule is open for the officer (and the
count is above the one a closed flag ended with); an open flag follows its count (its level only
goes up); a reviewed flag, or one under intervention, whose count grows is raised again: back to
``new``. Every change is audited with the actor ``system``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.enums import Finding, Kind
from oversight.concerns.models import Allegation, CommendedOfficer, Concern
from oversight.core import audit
from oversight.core.audit import SYSTEM
from oversight.core.clock import utcnow
from oversight.core.db import dialect_name
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import record_change
from oversight.intervention.enums import (
    PEER_STATUSES,
    USE_OF_FORCE_CATEGORIES,
    FlagLevel,
    FlagStatus,
    Metric,
    level_of,
)
from oversight.intervention.models import Flag, Rule
from oversight.officers.models import RosterOfficer

_LEVELS = list(FlagLevel)
#: ``cume_dist`` is a fraction: 57 of 100 peers is 0.57, and 0.57 * 100 is 56.99999999999999.
_EPSILON = 1e-9
#: Serializes evaluations on PostgreSQL (the worker's and the command's), so that two never
#: raise the same flag at once.
_LOCK = 7_227_001


@dataclass
class Evaluated:
    """What an evaluation did: flags raised, updated, raised again."""

    rules: int = 0
    raised: int = 0
    updated: int = 0
    raised_again: int = 0

    def summary(self) -> dict[str, int]:
        return asdict(self)


def _counted(metric: str, start: datetime, end: datetime) -> Any:
    """(officer, what counts) rows of a metric in a window, before grouping."""
    received = and_(Concern.created_at >= start, Concern.created_at < end)
    if metric == Metric.COMMENDATIONS:
        return (
            select(
                CommendedOfficer.officer_id.label("officer_id"),
                Concern.id.label("concern_id"),
                Concern.category.label("category"),
                Concern.created_at.label("received_at"),
                Concern.department_id.label("department_id"),
            )
            .join(Concern, Concern.id == CommendedOfficer.concern_id)
            .where(received)
        )
    stmt = (
        select(
            Allegation.officer_id.label("officer_id"),
            Allegation.id.label("allegation_id"),
            Concern.id.label("concern_id"),
            Allegation.category.label("category"),
            Allegation.finding.label("finding"),
            Concern.created_at.label("received_at"),
            Concern.department_id.label("department_id"),
        )
        .join(Concern, Concern.id == Allegation.concern_id)
        .where(Allegation.officer_id.is_not(None), received)
    )
    if metric == Metric.USE_OF_FORCE_ALLEGATIONS:
        stmt = stmt.where(Allegation.category.in_(USE_OF_FORCE_CATEGORIES))
    elif metric == Metric.SUSTAINED_FINDINGS:
        stmt = stmt.where(Allegation.finding == Finding.SUSTAINED)
    elif metric == Metric.COMPLAINTS:
        stmt = stmt.where(Concern.kind == Kind.COMPLAINT)
    return stmt


def _ranked(rule: Rule, start: datetime, end: datetime, only: Collection[uuid.UUID] | None) -> Any:
    """Every peer officer's count (zeros included) and, for a peer rule, its ``cume_dist``."""
    counted = _counted(rule.metric, start, end)
    if only is not None and rule.peer_percentile is None:
        counted = counted.where(counted.selected_columns.officer_id.in_(only))
    rows = counted.subquery()
    n = (
        func.count(func.distinct(rows.c.concern_id))
        if rule.metric == Metric.COMPLAINTS
        else func.count()
    )
    counts = (
        select(rows.c.officer_id, n.label("n"), func.max(rows.c.received_at).label("latest"))
        .group_by(rows.c.officer_id)
        .subquery()
    )
    total = func.coalesce(counts.c.n, 0)
    columns: list[Any] = [
        RosterOfficer.id.label("officer_id"),
        total.label("n"),
        counts.c.latest.label("latest"),
    ]
    if rule.peer_percentile is not None:
        unit = (RosterOfficer.department_id, RosterOfficer.unit)
        columns.append(func.cume_dist().over(partition_by=unit, order_by=total).label("peer"))
    return (
        select(*columns)
        .outerjoin(counts, counts.c.officer_id == RosterOfficer.id)
        .where(RosterOfficer.status.in_(PEER_STATUSES))
        .subquery()
    )


async def _items(
    session: AsyncSession,
    rule: Rule,
    start: datetime,
    end: datetime,
    officers: Collection[uuid.UUID],
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """What counted for each of ``officers``, oldest first, as a flag lists it; whether the
    concern went to another department than the officer's (allowed, and said)."""
    counted = _counted(rule.metric, start, end).subquery()
    stmt = (
        select(counted, RosterOfficer.department_id.label("officer_department"))
        .join(RosterOfficer, RosterOfficer.id == counted.c.officer_id)
        .where(counted.c.officer_id.in_(officers))
        .order_by(counted.c.received_at, counted.c.concern_id)
    )
    found: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in (await session.execute(stmt)).mappings():
        allegation = row.get("allegation_id")
        found[row["officer_id"]].append(
            {
                "allegation_id": None if allegation is None else str(allegation),
                "concern_id": str(row["concern_id"]),
                "category": row["category"],
                "finding": row.get("finding"),
                "month": row["received_at"].strftime("%Y-%m"),
                "other_department": row["department_id"] is not None
                and row["department_id"] != row["officer_department"],
            }
        )
    return found


async def evaluate(
    session: AsyncSession, only: Collection[uuid.UUID] | None = None, now: datetime | None = None
) -> Evaluated:
    """Every active rule, for every officer or ``only`` these."""
    now = now or utcnow()
    done = Evaluated()
    if dialect_name(session) == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_LOCK)))
    rules = (await session.scalars(select(Rule).where(Rule.active.is_(True)))).all()
    for rule in rules:
        done.rules += 1
        await _evaluate_rule(session, rule, only, now, done)
    return done


async def _evaluate_rule(
    session: AsyncSession,
    rule: Rule,
    only: Collection[uuid.UUID] | None,
    now: datetime,
    done: Evaluated,
) -> None:
    start = now - timedelta(days=rule.window_days)
    ranked = _ranked(rule, start, now, only)
    fires = ranked.c.n >= rule.warning_at
    if rule.peer_percentile is not None:
        at_or_above = ranked.c.peer * 100 >= rule.peer_percentile - _EPSILON
        fires = or_(fires, and_(at_or_above, ranked.c.n > 0))
    opened = select(Flag.officer_id).where(
        Flag.rule_id == rule.id, Flag.status != FlagStatus.CLOSED
    )
    stmt = select(ranked).where(or_(fires, ranked.c.officer_id.in_(opened)))
    if only is not None:
        stmt = stmt.where(ranked.c.officer_id.in_(only))
    found = (await session.execute(stmt)).mappings().all()
    if not found:
        return
    ids = [row["officer_id"] for row in found]
    flags = await session.scalars(
        select(Flag)
        .where(Flag.rule_id == rule.id, Flag.officer_id.in_(ids))
        .order_by(Flag.last_at)
        .with_for_update()
    )
    open_flags: dict[uuid.UUID, Flag] = {}
    closed: dict[uuid.UUID, Flag] = {}
    for flag in flags:
        if flag.status == FlagStatus.CLOSED:
            closed[flag.officer_id] = flag  # the latest closed one last
        else:
            open_flags[flag.officer_id] = flag
    raising: list[Flag] = []
    following: list[tuple[Flag, FlagLevel | None, int, float | None]] = []
    for row in found:
        officer, count = row["officer_id"], int(row["n"])
        peer = row.get("peer")
        percentile = None if peer is None else round(float(peer) * 100, 1)
        threshold = (rule.peer_percentile or 101) - _EPSILON  # no peer rule: never
        peer_fires = peer is not None and count > 0 and float(peer) * 100 >= threshold
        level = level_of(count, rule.warning_at, rule.critical_at, peer_fires)
        current = open_flags.get(officer)
        if current is not None:
            if count != current.count or _rises(current, level):
                following.append((current, level, count, percentile))
        elif level is not None and _anew(closed.get(officer), count, row["latest"]):
            raising.append(_new_flag(rule, officer, level, count, percentile, now))
    # What counted, read only for the flags that change (a steady evaluation reads none).
    changing = [flag.officer_id for flag in raising] + [f.officer_id for f, *_ in following]
    items = await _items(session, rule, start, now, changing) if changing else {}
    for flag in raising:
        flag.counted = items.get(flag.officer_id, [])
    await _raise(session, raising)
    done.raised += len(raising)
    for flag, level, count, percentile in following:
        counted = items.get(flag.officer_id, [])
        await _follow(session, flag, level, count, percentile, counted, rule.window_days, now, done)


def _anew(closed: Flag | None, count: int, latest: datetime | None) -> bool:
    """Whether a rule that fires raises a new flag after ``closed``: when the count passes the
    one it closed with, or a concern received after it was closed counts."""
    if closed is None or count > closed.count:
        return True
    return latest is not None and _utc(latest) > _utc(closed.updated_at)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite: UTC without its offset


def _rises(flag: Flag, level: FlagLevel | None) -> bool:
    return level is not None and _LEVELS.index(level) > _LEVELS.index(FlagLevel(flag.level))


def _new_flag(
    rule: Rule,
    officer: uuid.UUID,
    level: FlagLevel,
    count: int,
    percentile: float | None,
    now: datetime,
) -> Flag:
    return Flag(
        officer_id=officer,
        rule_id=rule.id,
        level=level,
        count=count,
        peer_percentile=percentile,
        window_days=rule.window_days,
        counted=[],
        status=FlagStatus.NEW,
        first_at=now,
        last_at=now,
        version=1,
        updated_at=now,
    )


async def _raise(session: AsyncSession, flags: list[Flag]) -> None:
    """New flags, inserted together, each audited."""
    session.add_all(flags)
    await session.flush()
    for flag in flags:
        await audit.record(
            session,
            actor=SYSTEM,
            action=AuditAction.FLAG_RAISED,
            entity_type=EntityType.FLAG,
            entity_id=flag.id,
            to_status=FlagStatus.NEW,
            data={
                "officer_id": flag.officer_id,
                "rule_id": flag.rule_id,
                "level": flag.level,
                "count": flag.count,
            },
        )


async def _follow(
    session: AsyncSession,
    flag: Flag,
    level: FlagLevel | None,
    count: int,
    percentile: float | None,
    counted: list[dict[str, Any]],
    window_days: int,
    now: datetime,
    done: Evaluated,
) -> None:
    """An open flag follows its count (over the rule's window as it is now); its level only
    goes up."""
    higher = (
        level
        if level is not None and _LEVELS.index(level) > _LEVELS.index(FlagLevel(flag.level))
        else None
    )
    if count == flag.count and higher is None:
        return
    before = {"count": flag.count, "level": flag.level, "status": flag.status}
    again = count > flag.count and flag.status in (FlagStatus.REVIEWED, FlagStatus.INTERVENTION)
    flag.count, flag.peer_percentile, flag.counted, flag.last_at = count, percentile, counted, now
    flag.window_days = window_days
    if higher is not None:
        flag.level = higher
    if again:
        flag.status = FlagStatus.NEW
        done.raised_again += 1
    else:
        done.updated += 1
    after = {"count": flag.count, "level": flag.level, "status": flag.status}
    await record_change(
        session,
        SYSTEM,
        flag,
        EntityType.FLAG,
        AuditAction.FLAG_RAISED_AGAIN if again else AuditAction.FLAG_UPDATED,
        now,
        from_status=before["status"],
        to_status=flag.status,
        data={"before": before, "after": after},
    )
