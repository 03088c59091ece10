"""The triage queue: filters, sorts and full-text search, tuned so that a page costs the same
at 1,000,000 concerns as at 10,000 (bench/queue_scaling.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import (
    CLOCK_RUNS,
    NO_DEADLINE,
    PRIORITY_RANK,
    ConcernStatus,
    Kind,
    Priority,
    normalize_tracking_code,
)
from oversight.concerns.models import Concern, ConcernCount
from oversight.concerns.policy import ConcernAction
from oversight.concerns.schemas import ConcernSort
from oversight.concerns.search import fts5_query
from oversight.concerns.view import ConcernView, allegations_read, page_columns, represent
from oversight.concerns.visibility import Sight, sight, sight_filter, visible_to
from oversight.core.clock import utcnow
from oversight.core.db import dialect_name
from oversight.core.errors import Unprocessable
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize
from oversight.core.roles import Actor

#: The bound of the partial index of running clocks (``NO_DEADLINE`` as SQL).
RUNNING_CLOCK_BOUND = "'9999-12-31 00:00:00+00'::timestamptz"


@dataclass(frozen=True)
class ConcernFilters:
    status: Sequence[ConcernStatus] = ()
    kind: Kind | None = None
    category: str | None = None
    priority: Priority | None = None
    assignee_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    neighborhood: str | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    overdue: bool | None = None
    q: str | None = None
    tracking_code: str | None = None


SORTS: dict[ConcernSort, list[SortKey]] = {
    ConcernSort.CREATED_AT: [SortKey(Concern.created_at), SortKey(Concern.id)],
    ConcernSort.NEWEST: [SortKey(Concern.created_at, True), SortKey(Concern.id, True)],
    ConcernSort.PRIORITY: [
        SortKey(Concern.priority_rank),
        SortKey(Concern.created_at),
        SortKey(Concern.id),
    ],
    ConcernSort.DUE: [SortKey(Concern.due_sort), SortKey(Concern.id)],
}


def _search(session: AsyncSession, q: str) -> ColumnElement[bool]:
    if dialect_name(session) == "postgresql":
        # Spelled exactly as the index ix_concerns_search, with constants rather than bound
        # parameters, or the planner cannot match the expression and scans every row.
        english: ColumnElement[str] = literal_column("'english'")
        space: ColumnElement[str] = literal_column("' '")
        document = Concern.summary.op("||")(space).op("||")(Concern.description)
        matches = (
            select(Concern.id)
            .where(
                func.to_tsvector(english, document).op("@@")(func.websearch_to_tsquery(english, q))
            )
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        # Matches first: otherwise, for a rare word, the planner walks the date index of the
        # whole table hoping to meet 50 matches soon (measured: 3 s at 1,000,000 concerns).
        return Concern.id.in_(select(matches.c.id))
    # SQLite: the same query in FTS5's terms, over the index of migration 20261126_09.
    fts = fts5_query(q)
    if fts is None:
        return false()
    found: Select[Any] = select(literal_column("rowid")).select_from(text("concerns_fts"))
    return literal_column("concerns.rowid").in_(
        found.where(text("concerns_fts MATCH :fts").bindparams(fts=fts))
    )


def _filtered(session: AsyncSession, actor: Actor, f: ConcernFilters, now: datetime) -> Select[Any]:
    # Columns, not ORM objects: the page is read-only, and identity-mapping 50 rows costs.
    stmt = page_columns(dialect_name(session)).where(visible_to(actor))
    if f.status:
        stmt = stmt.where(Concern.status.in_([s.value for s in f.status]))
    equal = {
        Concern.kind: f.kind,
        Concern.category: f.category,
        Concern.assignee_id: f.assignee_id,
        Concern.department_id: f.department_id,
        Concern.neighborhood: f.neighborhood,
        Concern.priority_rank: PRIORITY_RANK[f.priority] if f.priority else None,
    }
    for column, value in equal.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if f.submitted_from is not None:
        stmt = stmt.where(Concern.created_at >= f.submitted_from)
    if f.submitted_to is not None:
        stmt = stmt.where(Concern.created_at < f.submitted_to)
    if f.overdue is True:
        stmt = stmt.where(Concern.due_sort < now)
        if dialect_name(session) == "postgresql":
            # Names the predicate of the partial index ix_concerns_clock_running as a constant,
            # so the newest-first walk skips every concern whose clock is not running.
            stmt = stmt.where(Concern.due_sort < literal_column(RUNNING_CLOCK_BOUND))
    elif f.overdue is False:
        stmt = stmt.where(Concern.due_sort >= now)
    if f.q:
        stmt = stmt.where(_search(session, f.q))
    if f.tracking_code is not None:
        code = normalize_tracking_code(f.tracking_code)
        if code is None:
            raise Unprocessable(
                "Not a tracking code (OC-XXXX-XXXX-XXXX).", loc=("query", "tracking_code")
            )
        stmt = stmt.where(Concern.tracking_code == code)
    return stmt


async def page(
    session: AsyncSession,
    actor: Actor,
    filters: ConcernFilters,
    *,
    sort: ConcernSort,
    limit: int,
    cursor: str | None,
) -> tuple[list[ConcernView], str | None]:
    if filters.tracking_code is not None:
        authorize(concern_policy.concerns(actor.role, ConcernAction.FIND_BY_CODE))
    now = utcnow()
    rows, next_cursor = await keyset_page(
        session,
        _filtered(session, actor, filters, now),
        SORTS[sort],
        limit=limit,
        cursor=cursor,
        columns=True,
    )
    return [represent(c, allegations_read(c["allegations"]), actor, now) for c in rows], next_cursor


async def counts(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    """How many concerns this caller may see are in each status, and how many are overdue.

    Commission-wide and department counts are read from ``concern_counts`` (kept by triggers:
    a few dozen rows whatever the number of concerns); a resident's own are counted directly
    (the submitter index holds only theirs). Overdue is what is left of the running clocks
    once those not yet due are taken away: the not-yet-due are a range of the due-date index
    as long as the last few weeks' intake, where the overdue could be years of backlog. One
    statement, so both come from one snapshot."""
    kind, viewer = sight(actor)
    by_status = dict.fromkeys(ConcernStatus, 0)
    if kind is Sight.NONE:
        return {"by_status": by_status, "overdue": 0}
    visible = sight_filter(kind, viewer.get("viewer"))
    now = utcnow()
    not_yet_due = (
        select(func.count())
        .select_from(Concern)
        .where(visible, Concern.due_sort >= now, Concern.due_sort < NO_DEADLINE)
        .scalar_subquery()
    )
    if kind is Sight.OWN:
        tally = select(Concern.status, func.count(), not_yet_due).where(visible)
        tally = tally.group_by(Concern.status)
    else:
        tally = select(ConcernCount.status, func.sum(ConcernCount.n), not_yet_due)
        tally = tally.group_by(ConcernCount.status)
        if kind is Sight.DEPARTMENT:
            tally = tally.where(ConcernCount.department_key == viewer["viewer"])
    rows = (await session.execute(tally)).all()
    for status, n, _ in rows:
        by_status[ConcernStatus(status)] = int(n)
    waiting = rows[0][2] if rows else 0
    running = sum(by_status[status] for status in CLOCK_RUNS)
    return {"by_status": by_status, "overdue": max(running - waiting, 0)}
