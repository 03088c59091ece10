"""The roster read and corrected: search by badge or name, one officer with their assignments,
an admin's edit (If-Match)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core.clock import utcnow
from oversight.core.errors import Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import KeysetPage, SortKey, keyset_page
from oversight.core.resources import authorize, check_version, load_row, record_change
from oversight.core.roles import Actor
from oversight.officers import policy
from oversight.officers.candidates import matches
from oversight.officers.enums import OfficerStatus
from oversight.officers.models import Assignment, RosterOfficer
from oversight.officers.policy import RosterAction
from oversight.officers.roster import move_assignment
from oversight.officers.rules import dates_problems
from oversight.officers.schemas import OfficerUpdate
from oversight.officers.visibility import officers_visible_to

_BY_NAME = (
    SortKey(RosterOfficer.last_name),
    SortKey(RosterOfficer.first_name),
    SortKey(RosterOfficer.id),
)


async def list_officers(
    session: AsyncSession,
    actor: Actor,
    *,
    q: str | None,
    department_id: uuid.UUID | None,
    unit: str | None,
    status: OfficerStatus | None,
    limit: int,
    cursor: str | None,
) -> KeysetPage:
    """By last and first name; ``q`` matches a badge exactly or a name by trigram similarity."""
    authorize(policy.roster(actor.role, RosterAction.READ))
    stmt = select(RosterOfficer)
    if q:
        stmt = stmt.where(matches(q))
    if department_id is not None:
        stmt = stmt.where(RosterOfficer.department_id == department_id)
    if unit is not None:
        stmt = stmt.where(RosterOfficer.unit == unit)
    if status is not None:
        stmt = stmt.where(RosterOfficer.status == status)
    officers, next_cursor = await keyset_page(session, stmt, _BY_NAME, limit=limit, cursor=cursor)
    return [{name: getattr(o, name) for name in OFFICER_FIELDS} for o in officers], next_cursor


async def load(
    session: AsyncSession, actor: Actor | None, officer_id: uuid.UUID, *, for_update: bool = False
) -> RosterOfficer:
    return await load_row(
        session,
        RosterOfficer,
        officer_id,
        missing="No such officer.",
        visible=officers_visible_to(actor),
        for_update=for_update,
    )


async def represent(session: AsyncSession, officer: RosterOfficer) -> dict[str, Any]:
    assignments = await session.scalars(
        select(Assignment)
        .where(Assignment.officer_id == officer.id)
        .order_by(Assignment.starts_on.desc(), Assignment.id)
    )
    view = {name: getattr(officer, name) for name in OFFICER_FIELDS}
    view["assignments"] = [
        {"unit": a.unit, "rank": a.rank, "starts_on": a.starts_on, "ends_on": a.ends_on}
        for a in assignments
    ]
    return view


OFFICER_FIELDS = (
    "id",
    "badge",
    "first_name",
    "last_name",
    "rank",
    "unit",
    "department_id",
    "status",
    "hired_on",
    "separated_on",
    "version",
)


async def read(session: AsyncSession, actor: Actor, officer_id: uuid.UUID) -> dict[str, Any]:
    officer = await load(session, actor, officer_id)
    authorize(policy.roster(actor.role, RosterAction.READ))
    return await represent(session, officer)


async def edit(
    session: AsyncSession,
    actor: Actor,
    officer_id: uuid.UUID,
    if_match: str | None,
    data: OfficerUpdate,
) -> dict[str, Any]:
    officer = await load(session, actor, officer_id, for_update=True)
    check_version(officer, if_match)
    authorize(policy.roster(actor.role, RosterAction.WRITE))
    wanted = data.model_dump(exclude_unset=True)
    today = utcnow().date()
    effective_on = wanted.pop("effective_on", None) or today
    for name in ("first_name", "last_name", "rank", "unit", "status"):
        if name in wanted and wanted[name] is None:
            raise Unprocessable(f"{name} may not be null.", loc=("body", name))
    if effective_on > today:
        raise Unprocessable("effective_on is in the future.", loc=("body", "effective_on"))
    dates = {k: wanted.get(k, getattr(officer, k)) for k in ("status", "hired_on", "separated_on")}
    for name, problem in dates_problems(today=today, **dates):
        raise Unprocessable(f"{problem}.", loc=("body", name))
    before = {k: getattr(officer, k) for k in wanted if getattr(officer, k) != wanted[k]}
    if before:
        for name in before:
            setattr(officer, name, wanted[name])
        if {"rank", "unit"} & before.keys():
            await move_assignment(session, officer, effective_on)
        await record_change(
            session,
            actor,
            officer,
            EntityType.OFFICER,
            AuditAction.OFFICER_CHANGED,
            data={"before": before, "after": {k: wanted[k] for k in before}},
        )
    return await represent(session, officer)
