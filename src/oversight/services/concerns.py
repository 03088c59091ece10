"""Concerns: intake, who sees what, the triage queue, edits, the state machine, allegations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from oversight import audit
from oversight.config import Settings
from oversight.db import dialect_name, utcnow
from oversight.domain import machines
from oversight.domain.concerns import (
    PRIORITY_BY_RANK,
    PRIORITY_RANK,
    ConcernStatus,
    Finding,
    Kind,
    Priority,
    disposition_from_findings,
    new_tracking_code,
)
from oversight.domain.roles import Actor, Role
from oversight.errors import (
    Forbidden,
    NotFound,
    Unprocessable,
)
from oversight.models import Allegation, Category, Concern, Department, User
from oversight.pagination import SortKey, keyset_page
from oversight.schemas import (
    ConcernCreate,
    ConcernTransition,
    ConcernUpdate,
)
from oversight.services.common import check_version, enforce_move, record_change

#: Where no stage clock runs, the due-date sort key: after every real deadline.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
RUNNING_CLOCK_BOUND = "'9999-12-31 00:00:00+00'::timestamptz"
STAFF = frozenset({Role.COMMISSIONER, Role.ADMIN})
NOT_FOUND = "No such concern."


# Who sees what -------------------------------------------------------------------------------


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The one filter for "which concerns may this caller read": lists and reads both use it."""
    if actor.role in STAFF:
        return true()
    if actor.role is Role.RESIDENT:
        return Concern.submitted_by == actor.user_id
    if actor.role is Role.OFFICER and actor.department_id is not None:
        return Concern.department_id == actor.department_id
    return false()


async def load(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, *, for_update: bool = False
) -> Concern:
    """A concern the caller may see, else 404. ``for_update`` serializes writers on its row."""
    stmt = select(Concern).where(Concern.id == concern_id, visible_to(actor))
    if for_update:
        stmt = stmt.with_for_update()
    concern = await session.scalar(stmt.execution_options(populate_existing=True))
    if concern is None:
        raise NotFound(NOT_FOUND)
    return concern


async def changed(
    session: AsyncSession,
    actor: Actor | None,
    concern: Concern,
    now: datetime,
    action: str,
    **event: Any,
) -> None:
    """A change to the concern or a part shown in it: new version, flushed, audited."""
    await record_change(session, actor, concern, "concern", action, now, **event)


# Representation ------------------------------------------------------------------------------


#: A concern as one caller may see it: the fields of ``schemas.ConcernOut`` it may read, as
#: plain values. Plain dicts, not models: the values come from our own database, already
#: valid, and building and validating 50 models per triage page was most of its cost.
ConcernView = dict[str, Any]


ALLEGATION_FIELDS = ("id", "category", "officer_badge", "officer_name", "description", "finding")


def allegation_view(allegation: Allegation) -> dict[str, Any]:
    return {name: getattr(allegation, name) for name in ALLEGATION_FIELDS}


@cache
def _page_columns(dialect: str) -> Select[Any]:
    """The triage page's SELECT before filters (built once per dialect: it is the same every
    time): the concern's columns and its allegations as one JSON array (NULL for none), in
    order, so that a page is one query."""
    parts = (
        select(*(getattr(Allegation, name) for name in ALLEGATION_FIELDS))
        .where(Allegation.concern_id == Concern.id)
        .order_by(Allegation.position)
        .correlate(Concern)
        .subquery("a")
    )
    # Keys as constants: json_build_object cannot type a bound parameter.
    pairs = [x for name in ALLEGATION_FIELDS for x in (literal_column(f"'{name}'"), parts.c[name])]
    array: ColumnElement[Any]
    if dialect == "postgresql":
        array = func.json_agg(func.json_build_object(*pairs))
    else:
        array = func.json_group_array(func.json_object(*pairs))
    allegations = type_coerce(select(array).scalar_subquery(), JSON).label("allegations")
    return select(*Concern.__table__.columns, allegations)


def columns_of(concern: Concern) -> Mapping[str, Any]:
    return {column.key: getattr(concern, column.key) for column in Concern.__table__.columns}


def represent(
    concern: Mapping[str, Any],
    allegations: Sequence[dict[str, Any]],
    actor: Actor | None,
    now: datetime,
) -> ConcernView:
    """A concern's columns (``columns_of`` or a row as a mapping) and its allegations (as
    ``allegation_view`` gives them) as ``actor`` may see it."""
    role = actor.role if actor else Role.RESIDENT  # an anonymous submitter sees their receipt
    fields: dict[str, Any] = {
        "id": concern["id"],
        "kind": concern["kind"],
        "category": concern["category"],
        "summary": concern["summary"],
        "description": concern["description"],
        "occurred_at": concern["occurred_at"],
        "location": {
            "address": concern["address"],
            "neighborhood": concern["neighborhood"],
            "latitude": concern["latitude"],
            "longitude": concern["longitude"],
        },
        "allegations": allegations,
        "status": concern["status"],
        "disposition": concern["disposition"],
        "department_id": concern["department_id"],
        "triage_due_at": concern["triage_due_at"],
        "response_due_at": concern["response_due_at"],
        "overdue": concern["due_sort"] < now,
        "allowed_transitions": list(
            machines.allowed(machines.CONCERN_MOVES, concern["status"], role)
        )
        if actor
        else [],
        "version": concern["version"],
        "created_at": concern["created_at"],
        "updated_at": concern["updated_at"],
        "closed_at": concern["closed_at"],
    }
    if role is not Role.OFFICER:
        # Officers never learn who complained, how to reach them, or the tracking code.
        fields |= {
            "tracking_code": concern["tracking_code"],
            "submitted_by": concern["submitted_by"],
            "anonymous": concern["anonymous"],
            "contact_email": concern["contact_email"],
        }
    if role in STAFF or role is Role.OFFICER:
        fields |= {"priority": PRIORITY_BY_RANK[concern["priority_rank"]]}
    if role in STAFF:
        fields |= {"assignee_id": concern["assignee_id"]}
    return fields


async def allegations_of(session: AsyncSession, concern_id: uuid.UUID) -> list[Allegation]:
    rows = await session.scalars(
        select(Allegation).where(Allegation.concern_id == concern_id).order_by(Allegation.position)
    )
    return list(rows)


def _view(
    concern: Concern, allegations: Sequence[Allegation], actor: Actor | None, now: datetime
) -> ConcernView:
    return represent(columns_of(concern), [allegation_view(a) for a in allegations], actor, now)


async def _represent_loaded(
    session: AsyncSession, concern: Concern, actor: Actor, now: datetime
) -> ConcernView:
    allegations = await allegations_of(session, concern.id)
    return _view(concern, allegations, actor, now)


async def read(session: AsyncSession, actor: Actor, concern_id: uuid.UUID) -> ConcernView:
    concern = await load(session, actor, concern_id)
    return await _represent_loaded(session, concern, actor, utcnow())


# Intake --------------------------------------------------------------------------------------


#: Built once: every intake runs it.
_ACTIVE_CATEGORIES = select(Category.code).where(
    Category.code.in_(bindparam("codes", expanding=True)), Category.active.is_(True)
)


async def check_categories(
    session: AsyncSession, *wanted: tuple[tuple[str, ...], set[str]]
) -> None:
    """Each ``(loc, codes)``: every code names an active category, else a 422 at ``loc``.
    One query for all of them."""
    codes = set().union(*(asked for _, asked in wanted))
    connection = await session.connection()
    found = set((await connection.execute(_ACTIVE_CATEGORIES, {"codes": sorted(codes)})).scalars())
    for loc, asked in wanted:
        if unknown := sorted(asked - found):
            raise Unprocessable(f"Unknown or retired category: {', '.join(unknown)}.", loc=loc)


async def submit(
    session: AsyncSession, settings: Settings, actor: Actor | None, data: ConcernCreate
) -> ConcernView:
    if actor is not None and actor.role is not Role.RESIDENT:
        raise Forbidden("Concerns are brought by residents; staff accounts cannot submit them.")
    await check_categories(
        session,
        (("body", "category"), {data.category}),
        (("body", "allegations"), {a.category for a in data.allegations}),
    )
    if data.allegations and data.kind is not Kind.COMPLAINT:
        raise Unprocessable("Only complaints carry allegations.", loc=("body", "allegations"))
    now = utcnow()
    location = data.location
    triage_due = now + timedelta(days=settings.triage_sla_days)
    concern = Concern(
        tracking_code=new_tracking_code(),
        kind=data.kind,
        category=data.category,
        summary=data.summary,
        description=data.description,
        occurred_at=data.occurred_at,
        address=location.address if location else None,
        neighborhood=location.neighborhood if location else None,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        status=ConcernStatus.SUBMITTED,
        priority_rank=PRIORITY_RANK[Priority.NORMAL],
        submitted_by=actor.user_id if actor else None,
        anonymous=actor is None,
        contact_email=data.contact_email,
        triage_due_at=triage_due,
        due_sort=triage_due,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(concern)
    await session.flush()
    allegations = [
        Allegation(concern_id=concern.id, position=i, created_at=now, **a.model_dump())
        for i, a in enumerate(data.allegations)
    ]
    session.add_all(allegations)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="concern.submitted",
        entity_type="concern",
        entity_id=concern.id,
        to_status=ConcernStatus.SUBMITTED,
        data={"kind": data.kind.value, "category": data.category, "allegations": len(allegations)},
    )
    return _view(concern, allegations, actor, now)


# The triage queue ----------------------------------------------------------------------------

Sort = Literal["created_at", "-created_at", "priority", "due"]


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


SORTS: dict[str, list[SortKey]] = {
    "created_at": [SortKey(Concern.created_at), SortKey(Concern.id)],
    "-created_at": [SortKey(Concern.created_at, True), SortKey(Concern.id, True)],
    "priority": [SortKey(Concern.priority_rank), SortKey(Concern.created_at), SortKey(Concern.id)],
    "due": [SortKey(Concern.due_sort), SortKey(Concern.id)],
}


def _search(session: AsyncSession, q: str) -> ColumnElement[bool]:
    if dialect_name(session) == "postgresql":
        # Spelled exactly as the index ix_concerns_search, with constants rather than bound
        # parameters, or the planner cannot match the expression and scans every row.
        english: ColumnElement[str] = literal_column("'english'")
        space: ColumnElement[str] = literal_column("' '")
        text = Concern.summary.op("||")(space).op("||")(Concern.description)
        matches = (
            select(Concern.id)
            .where(func.to_tsvector(english, text).op("@@")(func.websearch_to_tsquery(english, q)))
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        # Matches first: otherwise, for a rare word, the planner walks the date index of the
        # whole table hoping to meet 50 matches soon (measured: 3 s at 1,000,000 concerns).
        return Concern.id.in_(select(matches.c.id))
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        Concern.summary.ilike(pattern, escape="\\"), Concern.description.ilike(pattern, escape="\\")
    )


def _filtered(session: AsyncSession, actor: Actor, f: ConcernFilters, now: datetime) -> Select[Any]:
    # Columns, not ORM objects: the page is read-only, and identity-mapping 50 rows costs.
    stmt = _page_columns(dialect_name(session)).where(visible_to(actor))
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
    return stmt


async def page(
    session: AsyncSession,
    actor: Actor,
    filters: ConcernFilters,
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
) -> tuple[list[ConcernView], str | None]:
    now = utcnow()
    rows, next_cursor = await keyset_page(
        session,
        _filtered(session, actor, filters, now),
        SORTS[sort],
        limit=limit,
        cursor=cursor,
        columns=True,
    )
    return [
        represent(c, _allegations_read(c["allegations"]), actor, now) for c in rows
    ], next_cursor


def _allegations_read(found: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    # SQLite keeps a UUID as 32 hex digits; both databases give it back as a string.
    for allegation in found or []:
        allegation["id"] = uuid.UUID(allegation["id"])
    return found or []


# Edits ---------------------------------------------------------------------------------------

COMMISSIONER_FIELDS = frozenset({"priority", "category", "assignee_id", "neighborhood"})
OWNER_FIELDS = frozenset({"description"})


async def _check_assignee(session: AsyncSession, assignee_id: uuid.UUID) -> None:
    role = await session.scalar(
        select(User.role).where(User.id == assignee_id, User.is_active.is_(True))
    )
    if role != Role.COMMISSIONER:
        raise Unprocessable(
            "The assignee must be an active commissioner.", loc=("body", "assignee_id")
        )


async def update(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    if_match: str | None,
    data: ConcernUpdate,
) -> ConcernView:
    concern = await load(session, actor, concern_id, for_update=True)
    check_version(concern, if_match)
    wanted = data.model_dump(exclude_unset=True)
    may = COMMISSIONER_FIELDS if actor.role is Role.COMMISSIONER else frozenset()
    if actor.role is Role.RESIDENT and concern.status == ConcernStatus.SUBMITTED:
        may = OWNER_FIELDS
    if refused := sorted(set(wanted) - may):
        raise Forbidden(f"You may not change {', '.join(refused)} of this concern now.")
    if "priority" in wanted and wanted["priority"] is None:
        raise Unprocessable("priority may not be null.", loc=("body", "priority"))
    if wanted.get("category") is not None:
        await check_categories(session, (("body", "category"), {wanted["category"]}))
    elif "category" in wanted:
        raise Unprocessable("category may not be null.", loc=("body", "category"))
    if "description" in wanted and wanted["description"] is None:
        raise Unprocessable("description may not be null.", loc=("body", "description"))
    if wanted.get("assignee_id") is not None:
        await _check_assignee(session, wanted["assignee_id"])

    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in wanted.items():
        column, stored = name, value
        if name == "priority":
            column, stored = "priority_rank", PRIORITY_RANK[value]
        current = getattr(concern, column)
        if current != stored:
            shown_before = PRIORITY_BY_RANK[current] if name == "priority" else current
            before[name], after[name] = shown_before, value
            setattr(concern, column, stored)
    now = utcnow()
    if after:
        await changed(
            session, actor, concern, now, "concern.edited", data={"before": before, "after": after}
        )
    return await _represent_loaded(session, concern, actor, now)


# The state machine ---------------------------------------------------------------------------

# Fields of a transition request that only some moves use: any other move refuses them.
MOVE_FIELDS = {
    "disposition": {ConcernStatus.RESOLVED},
    "findings": {ConcernStatus.RESOLVED},
    "department_id": {ConcernStatus.REFERRED},
    "response_due_at": {ConcernStatus.REFERRED},
    "meeting_id": {ConcernStatus.SCHEDULED},
}


async def transition(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    concern_id: uuid.UUID,
    if_match: str | None,
    data: ConcernTransition,
) -> ConcernView:
    concern = await load(session, actor, concern_id, for_update=True)
    check_version(concern, if_match)
    given = {name for name in data.model_fields_set if getattr(data, name) is not None}
    allegations = await allegations_of(session, concern.id)
    target = data.to
    # A complaint's findings make its disposition; the machine then counts it as given.
    if target == ConcernStatus.RESOLVED and _disposition_is_derivable(concern, allegations):
        given.add("disposition")
    check_concern_move(concern, target, actor, given)
    for name, targets in MOVE_FIELDS.items():
        if (
            name in data.model_fields_set
            and getattr(data, name) is not None
            and target not in targets
        ):
            raise Unprocessable(f"{name} does not apply to a move to {target}.", loc=("body", name))

    now = utcnow()
    effects = await _apply(session, settings, actor, concern, allegations, data, now)
    await record_move(
        session,
        actor,
        concern,
        target,
        now,
        reason=data.reason,
        data={"public_note": data.public_note, **effects},
    )
    return _view(concern, allegations, actor, now)


def check_concern_move(
    concern: Concern, target: str, actor: Actor, given: set[str], via: str | None = None
) -> None:
    enforce_move(machines.CONCERN_MOVES, "concern", concern.status, target, actor.role, given, via)


async def record_move(
    session: AsyncSession,
    actor: Actor,
    concern: Concern,
    target: str,
    now: datetime,
    *,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """The one place a concern's status changes: set it, bump the version, audit it."""
    source = concern.status
    concern.status = target
    await changed(
        session,
        actor,
        concern,
        now,
        "concern.transition",
        from_status=source,
        to_status=target,
        reason=reason,
        data=data,
    )


def _disposition_is_derivable(concern: Concern, allegations: Sequence[Allegation]) -> bool:
    return concern.kind == Kind.COMPLAINT and bool(allegations)


async def _apply(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    concern: Concern,
    allegations: Sequence[Allegation],
    data: ConcernTransition,
    now: datetime,
) -> dict[str, Any]:
    """Each target's effects on the concern; returns what the audit event should carry."""
    # Meetings build on concerns (their agendas list them); only this move reaches back.
    from oversight.services import meetings

    target = data.to
    concern.due_sort = NO_DEADLINE
    if target == ConcernStatus.TRIAGED:
        concern.triaged_at = now
        return {}
    if target == ConcernStatus.REFERRED:
        if data.department_id is None or await session.get(Department, data.department_id) is None:
            raise Unprocessable("No such department.", loc=("body", "department_id"))
        due = data.response_due_at or now + timedelta(days=settings.response_sla_days)
        if due <= now:
            raise Unprocessable(
                "response_due_at must be in the future.", loc=("body", "response_due_at")
            )
        concern.department_id = data.department_id
        concern.referred_at = now
        concern.response_due_at = due
        concern.due_sort = due
        return {"department_id": str(data.department_id), "response_due_at": audit.format_at(due)}
    if target == ConcernStatus.RESOLVED:
        disposition = _resolve(concern, allegations, data)
        concern.disposition = disposition
        concern.resolved_at = now
        findings = {str(item.allegation_id): item.finding.value for item in data.findings or []}
        return {"disposition": disposition.value, **({"findings": findings} if findings else {})}
    if target in {ConcernStatus.CLOSED, ConcernStatus.WITHDRAWN, ConcernStatus.DISMISSED}:
        concern.closed_at = now
        return {}
    if target == ConcernStatus.UNDER_REVIEW and concern.status in {
        "dismissed",
        "resolved",
        "closed",
    }:
        # Reopened: the earlier outcome no longer stands.
        concern.disposition = None
        concern.resolved_at = None
        concern.closed_at = None
        return {"reopened": True}
    if target == ConcernStatus.SCHEDULED:
        if data.meeting_id is None:  # the machine requires it; this is for the type checker
            raise Unprocessable("A move to scheduled needs meeting_id.", loc=("body", "meeting_id"))
        item = await meetings.schedule_concern(session, data.meeting_id, concern, actor)
        return {"meeting_id": str(data.meeting_id), "agenda_item_id": str(item.id)}
    if target == ConcernStatus.UNDER_REVIEW and concern.status == ConcernStatus.SCHEDULED:
        # Deferred: it leaves the agenda of a meeting that has not met yet.
        await meetings.unschedule_concern(session, concern, actor)
    return {}


def _resolve(
    concern: Concern, allegations: Sequence[Allegation], data: ConcernTransition
) -> Finding:
    by_id = {a.id: a for a in allegations}
    for item in data.findings or []:
        if item.allegation_id not in by_id:
            raise Unprocessable(
                f"Allegation {item.allegation_id} is not part of this concern.",
                loc=("body", "findings"),
            )
        by_id[item.allegation_id].finding = item.finding
    if not _disposition_is_derivable(concern, allegations):
        if data.disposition is None:
            raise Unprocessable("Resolving needs a disposition.", loc=("body", "disposition"))
        return data.disposition
    if missing := [str(a.id) for a in allegations if a.finding is None]:
        raise Unprocessable(
            "Every allegation needs a finding before the complaint is resolved; missing: "
            + ", ".join(missing),
            loc=("body", "findings"),
        )
    derived = disposition_from_findings(Finding(a.finding) for a in allegations if a.finding)
    if data.disposition is not None and data.disposition != derived:
        raise Unprocessable(
            f"The findings make the disposition {derived.value}, not {data.disposition.value}.",
            loc=("body", "disposition"),
        )
    return derived
