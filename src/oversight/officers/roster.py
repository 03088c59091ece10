"""A roster file imported: upsert by (department, badge), all or nothing, one audited event.

An officer missing from the file is left as is (a department sends whom it changed, or its
whole roster); a row whose rank or unit differs closes the current assignment and opens one
from the day of the import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Department
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.csvfile import BadFile, shown
from oversight.core.errors import Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import authorize, bump
from oversight.core.roles import Actor
from oversight.officers import policy
from oversight.officers.models import Assignment, RosterOfficer
from oversight.officers.policy import RosterAction
from oversight.officers.rules import RosterRow

#: The columns an import compares and sets.
FIELDS = ("first_name", "last_name", "rank", "unit", "status", "hired_on", "separated_on")


async def _departments(
    session: AsyncSession, rows: Sequence[RosterRow], loc: tuple[str, ...]
) -> dict[str, Any]:
    codes = {row.department for row in rows}
    stmt = select(Department.code, Department.id).where(Department.code.in_(codes))
    found: dict[str, Any] = dict((await session.execute(stmt)).all())
    unknown = [
        f"line {row.line}: unknown department {shown(row.department)}"
        for row in rows
        if row.department not in found
    ]
    if unknown:
        raise Unprocessable(str(BadFile(unknown)), loc=loc)
    return found


def _assign(officer: RosterOfficer, starts_on: date) -> Assignment:
    return Assignment(
        officer_id=officer.id, unit=officer.unit, rank=officer.rank, starts_on=starts_on
    )


async def move_assignment(session: AsyncSession, officer: RosterOfficer, on: date) -> None:
    """Close the officer's current assignment the day before ``on`` and open one from ``on``."""
    current = await session.scalar(
        select(Assignment).where(Assignment.officer_id == officer.id, Assignment.ends_on.is_(None))
    )
    if current is not None:
        if current.starts_on >= on:  # changed again the same day: that assignment is this one
            current.unit, current.rank = officer.unit, officer.rank
            return
        current.ends_on = date.fromordinal(on.toordinal() - 1)
    session.add(_assign(officer, on))


async def import_roster(
    session: AsyncSession,
    actor: Actor | None,
    rows: Sequence[RosterRow],
    sha256: str,
    *,
    loc: tuple[str, ...] = ("body",),
) -> dict[str, Any]:
    """Upsert every row; ``actor`` None is the operator at the command line."""
    if actor is not None:
        authorize(policy.roster(actor.role, RosterAction.WRITE))
    departments = await _departments(session, rows, loc)
    keys = [(departments[row.department], row.badge) for row in rows]
    existing = {
        (officer.department_id, officer.badge): officer
        for officer in await session.scalars(
            select(RosterOfficer).where(
                tuple_(RosterOfficer.department_id, RosterOfficer.badge).in_(keys)
            )
        )
    }
    now = utcnow()
    today = now.date()
    created: list[RosterOfficer] = []
    unchanged, changes = 0, []
    for row, key in zip(rows, keys, strict=True):
        wanted = {name: getattr(row, name) for name in FIELDS}
        officer = existing.get(key)
        if officer is None:
            officer = RosterOfficer(department_id=key[0], badge=row.badge, **wanted, version=1)
            officer.created_at = officer.updated_at = now
            created.append(officer)
            continue
        before = {k: getattr(officer, k) for k in FIELDS if getattr(officer, k) != wanted[k]}
        if not before:
            unchanged += 1
            continue
        for name in before:
            setattr(officer, name, wanted[name])
        if {"rank", "unit"} & before.keys():
            await move_assignment(session, officer, today)
        bump(session, officer, EntityType.OFFICER, now)
        changes.append(
            {"officer_id": officer.id, "before": before, "after": {k: wanted[k] for k in before}}
        )
    # The new officers first: their assignments name them (no ORM relationship orders it).
    session.add_all(created)
    await session.flush()
    session.add_all(_assign(officer, officer.hired_on or today) for officer in created)
    await session.flush()
    result = {
        "sha256": sha256,
        "created": len(created),
        "updated": len(changes),
        "unchanged": unchanged,
    }
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.ROSTER_IMPORTED,
        entity_type=EntityType.OFFICER,
        entity_id=None,
        data={**result, "changes": changes},
    )
    return result
