"""A concern as one caller may see it, built once as plain values."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    case,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import machine as concern_machine
from oversight.concerns.enums import (
    DISCIPLINE_FINDINGS,
    PRIORITY_BY_RANK,
    Kind,
    discipline_outcome,
)
from oversight.concerns.models import Allegation, CommendedOfficer, Concern
from oversight.concerns.policy import CONCERN_FIELDS_SEEN, ConcernFields
from oversight.concerns.visibility import NOT_FOUND, Sight, sight, sight_filter
from oversight.core import machine as machines
from oversight.core.clock import utcnow
from oversight.core.db import Rows
from oversight.core.errors import NotFound
from oversight.core.roles import Actor, Role
from oversight.officers.models import RosterOfficer

#: A concern as one caller may see it: the fields of ``concerns.schemas.ConcernOut`` it may read, as
#: plain values. Plain dicts, not models: the values come from our own database, already
#: valid, and building and validating 50 models per triage page was most of its cost.
ConcernView = dict[str, Any]


ALLEGATION_FIELDS = (
    "id",
    "category",
    "officer_badge",
    "officer_name",
    "description",
    "finding",
    "officer_id",
)
#: The linked roster officer's columns, read with each allegation (NULL when not linked).
_LINKED: dict[str, Any] = {
    "linked_badge": RosterOfficer.badge,
    "linked_first_name": RosterOfficer.first_name,
    "linked_last_name": RosterOfficer.last_name,
    "linked_department_id": RosterOfficer.department_id,
}
_IDS = ("id", "officer_id", "linked_department_id")
#: An allegation's discipline, read with it (``shown_allegation`` makes ``discipline`` of them).
DISCIPLINE_FIELDS = (
    "recommended_level",
    "recommended_days",
    "recommended_at",
    "imposed_level",
    "imposed_days",
    "imposed_at",
    "imposed_reason",
    "correction_reason",
)
_TIMES = ("recommended_at", "imposed_at")


def _allegations() -> Select[Any]:
    """Each allegation's fields and its linked officer's, as ``shown_allegation`` reads them."""
    columns = [*(getattr(Allegation, n) for n in (*ALLEGATION_FIELDS, *DISCIPLINE_FIELDS))]
    columns += [column.label(name) for name, column in _LINKED.items()]
    return (
        select(*columns)
        .select_from(Allegation)
        .outerjoin(RosterOfficer, RosterOfficer.id == Allegation.officer_id)
        .order_by(Allegation.position)
    )


def sees_accused(actor: Actor | None) -> bool:
    """Whether the caller sees which roster officer an allegation is linked to."""
    role = actor.role if actor else Role.RESIDENT
    return ConcernFields.ACCUSED in CONCERN_FIELDS_SEEN[role]


def shown_allegation(row: Mapping[str, Any], accused: bool) -> dict[str, Any]:
    """An allegation as a caller sees it: what the resident typed always; the roster officer
    it is linked to only when ``accused`` (``sees_accused``)."""
    shown = {name: row[name] for name in ALLEGATION_FIELDS}
    if not accused:
        del shown["officer_id"]
    elif row["officer_id"] is not None:
        shown["officer"] = {
            "id": row["officer_id"],
            "badge": row["linked_badge"],
            "display_name": f"{row['linked_first_name']} {row['linked_last_name']}",
            "department_id": row["linked_department_id"],
        }
    if accused and row["recommended_level"] is not None and row["finding"] in DISCIPLINE_FINDINGS:
        shown["discipline"] = _discipline(row)
    return shown


def _discipline(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "recommended": row["recommended_level"],
        "recommended_days": row["recommended_days"],
        "recommended_at": row["recommended_at"],
        "imposed": row["imposed_level"],
        "imposed_days": row["imposed_days"],
        "imposed_at": row["imposed_at"],
        "reason": row["imposed_reason"],
        "outcome": discipline_outcome(
            row["recommended_level"],
            row["recommended_days"],
            row["imposed_level"],
            row["imposed_days"],
        ),
        "correction_open": row["correction_reason"] is not None,
    }


@cache
def page_columns(dialect: str) -> Select[Any]:
    """The triage page's SELECT before filters (built once per dialect: it is the same every
    time): the concern's columns and its allegations as one JSON array (NULL for none), in
    order, so that a page is one query."""
    parts = _allegations().where(Allegation.concern_id == Concern.id).correlate(Concern)
    named = parts.subquery("a")
    # Keys as constants: json_build_object cannot type a bound parameter.
    pairs = [
        x
        for name in (*ALLEGATION_FIELDS, *DISCIPLINE_FIELDS, *_LINKED)
        for x in (literal_column(f"'{name}'"), named.c[name])
    ]
    array: ColumnElement[Any]
    if dialect == "postgresql":
        array = func.json_agg(func.json_build_object(*pairs))
    else:
        array = func.json_group_array(func.json_object(*pairs))
    allegations = type_coerce(select(array).scalar_subquery(), JSON).label("allegations")
    commended_ids = (
        func.json_agg(CommendedOfficer.officer_id)
        if dialect == "postgresql"
        else func.json_group_array(CommendedOfficer.officer_id)
    )
    listed = (
        select(commended_ids)
        .where(CommendedOfficer.concern_id == Concern.id)
        .correlate(Concern)
        .scalar_subquery()
    )
    # Only a commendation commends anyone: no subquery runs for the other kinds.
    commended = type_coerce(case((Concern.kind == Kind.COMMENDATION, listed)), JSON).label(
        "commended"
    )
    return select(*Concern.__table__.columns, allegations, commended)


def columns_of(concern: Concern) -> Mapping[str, Any]:
    return {column.key: getattr(concern, column.key) for column in Concern.__table__.columns}


def represent(
    concern: Mapping[str, Any],
    allegations: Sequence[Mapping[str, Any]],
    actor: Actor | None,
    now: datetime,
) -> ConcernView:
    """A concern's columns (``columns_of`` or a row as a mapping) and its allegations (as
    ``allegations_of`` reads them) as ``actor`` may see it."""
    role = actor.role if actor else Role.RESIDENT  # an anonymous submitter sees their receipt
    seen = CONCERN_FIELDS_SEEN[role]
    accused = ConcernFields.ACCUSED in seen
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
        "allegations": [shown_allegation(row, accused) for row in allegations],
        "status": concern["status"],
        "channel": concern["channel"],
        "disposition": concern["disposition"],
        "department_id": concern["department_id"],
        "triage_due_at": concern["triage_due_at"],
        "response_due_at": concern["response_due_at"],
        "overdue": concern["due_sort"] < now,
        "allowed_transitions": list(
            machines.allowed(concern_machine.CONCERN_MOVES, concern["status"], role)
        )
        if actor
        else [],
        "version": concern["version"],
        "created_at": concern["created_at"],
        "updated_at": concern["updated_at"],
        "closed_at": concern["closed_at"],
    }
    if ConcernFields.IDENTITY in seen:
        # Officers never learn who complained, how to reach them, or the tracking code.
        fields |= {
            "tracking_code": concern["tracking_code"],
            "submitted_by": concern["submitted_by"],
            "anonymous": concern["anonymous"],
            "contact_email": concern["contact_email"],
            "contact_phone": concern["contact_phone"],
        }
    if ConcernFields.PRIORITY in seen:
        fields |= {"priority": PRIORITY_BY_RANK[concern["priority_rank"]].value}
    if ConcernFields.ASSIGNEE in seen:
        fields |= {"assignee_id": concern["assignee_id"]}
    if accused and concern["kind"] == Kind.COMMENDATION:
        fields |= {"commended_officer_ids": commended_read(concern.get("commended"))}
    return fields


def commended_read(found: Sequence[Any] | None) -> list[uuid.UUID]:
    """The commended officers' ids (from ``page_columns``' JSON, or ``commended_of``)."""
    return sorted(uuid.UUID(str(i)) if not isinstance(i, uuid.UUID) else i for i in found or [])


async def commended_of(session: AsyncSession, concern_id: uuid.UUID) -> list[uuid.UUID]:
    found = await session.scalars(
        select(CommendedOfficer.officer_id).where(CommendedOfficer.concern_id == concern_id)
    )
    return list(found)


async def allegations_of(
    session: AsyncSession, concern_id: uuid.UUID, allegation_id: uuid.UUID | None = None
) -> list[Mapping[str, Any]]:
    """The concern's allegations (or one of them), with their linked officers' columns."""
    stmt = _allegations().where(Allegation.concern_id == concern_id)
    if allegation_id is not None:
        stmt = stmt.where(Allegation.id == allegation_id)
    return list((await session.execute(stmt)).mappings().all())


async def view_loaded(
    session: AsyncSession, concern: Concern, actor: Actor, now: datetime
) -> ConcernView:
    """A concern the unit of work changed, as the caller sees it, its parts read afresh."""
    allegations = await allegations_of(session, concern.id)
    columns = dict(columns_of(concern))
    if concern.kind == Kind.COMMENDATION:
        columns["commended"] = await commended_of(session, concern.id)
    return represent(columns, allegations, actor, now)


@cache
def _read_statement(dialect: str, kind: Sight) -> Select[Any]:
    """A concern by id, as the triage page selects it, for one sight (built once each: the
    cache key of a statement this size was a tenth of a read's CPU when built per request)."""
    viewer: BindParameter[Any] = bindparam("viewer")
    return page_columns(dialect).where(
        Concern.id == bindparam("concern_id"), sight_filter(kind, viewer)
    )


async def read(rows: Rows, actor: Actor, concern_id: uuid.UUID) -> ConcernView:
    """A concern the caller may see, else 404: one query, plain columns and no ORM objects,
    as the page reads them."""
    kind, viewer = sight(actor)
    row = await rows.first(
        _read_statement(rows.dialect, kind), {"concern_id": concern_id, **viewer}
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return represent(row, allegations_read(row["allegations"]), actor, utcnow())


def _at(text: str) -> datetime:
    """A time inside the JSON array: PostgreSQL writes its offset, SQLite stores UTC without."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def allegations_read(found: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Allegations from ``page_columns``' JSON array, their ids as UUIDs again (SQLite keeps a
    UUID as 32 hex digits; both databases give it back as a string)."""
    for allegation in found or []:
        for name in _IDS:
            if allegation[name] is not None:
                allegation[name] = uuid.UUID(allegation[name])
        for name in _TIMES:
            if allegation[name] is not None:
                allegation[name] = _at(allegation[name])
    return found or []
