"""A concern as one caller may see it, built once as plain values."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import machine as concern_machine
from oversight.concerns.enums import PRIORITY_BY_RANK
from oversight.concerns.models import Allegation, Concern
from oversight.concerns.policy import CONCERN_FIELDS_SEEN, ConcernFields
from oversight.concerns.visibility import NOT_FOUND, Sight, sight, sight_filter
from oversight.core import machine as machines
from oversight.core.clock import utcnow
from oversight.core.db import Rows
from oversight.core.errors import NotFound
from oversight.core.roles import Actor, Role

#: A concern as one caller may see it: the fields of ``concerns.schemas.ConcernOut`` it may read, as
#: plain values. Plain dicts, not models: the values come from our own database, already
#: valid, and building and validating 50 models per triage page was most of its cost.
ConcernView = dict[str, Any]


ALLEGATION_FIELDS = ("id", "category", "officer_badge", "officer_name", "description", "finding")


def allegation_view(allegation: Allegation) -> dict[str, Any]:
    return {name: getattr(allegation, name) for name in ALLEGATION_FIELDS}


@cache
def page_columns(dialect: str) -> Select[Any]:
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
    seen = CONCERN_FIELDS_SEEN[role]
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
    return fields


async def allegations_of(session: AsyncSession, concern_id: uuid.UUID) -> list[Allegation]:
    rows = await session.scalars(
        select(Allegation).where(Allegation.concern_id == concern_id).order_by(Allegation.position)
    )
    return list(rows)


def view(
    concern: Concern, allegations: Sequence[Allegation], actor: Actor | None, now: datetime
) -> ConcernView:
    return represent(columns_of(concern), [allegation_view(a) for a in allegations], actor, now)


async def view_loaded(
    session: AsyncSession, concern: Concern, actor: Actor, now: datetime
) -> ConcernView:
    allegations = await allegations_of(session, concern.id)
    return view(concern, allegations, actor, now)


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


def allegations_read(found: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Allegations from ``page_columns``' JSON array, their ids as UUIDs again (SQLite keeps a
    UUID as 32 hex digits; both databases give it back as a string)."""
    for allegation in found or []:
        allegation["id"] = uuid.UUID(allegation["id"])
    return found or []
