"""Flags for the commission: the list (commissioners), one flag with every read recorded, and
its review moves with their notes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core import audit
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import KeysetPage, SortKey, keyset_page
from oversight.core.resources import (
    authorize,
    check_version,
    enforce_move,
    load_row,
    record_move,
)
from oversight.core.roles import Actor
from oversight.intervention import policy
from oversight.intervention.enums import FlagLevel, FlagStatus
from oversight.intervention.machine import FLAG_MOVES
from oversight.intervention.models import Flag, FlagNote, Rule
from oversight.intervention.policy import InterventionAction
from oversight.intervention.schemas import FlagTransition
from oversight.intervention.visibility import flags_visible_to
from oversight.officers.models import RosterOfficer

_NEWEST = (SortKey(Flag.last_at, descending=True), SortKey(Flag.id, descending=True))


async def _views(session: AsyncSession, flags: list[Flag]) -> list[dict[str, Any]]:
    """Flags with their officers, rules and notes: three queries for a page."""
    ids = [flag.id for flag in flags]
    officers = {
        o.id: o
        for o in await session.scalars(
            select(RosterOfficer).where(RosterOfficer.id.in_({f.officer_id for f in flags}))
        )
    }
    rules = {
        r.id: r
        for r in await session.scalars(select(Rule).where(Rule.id.in_({f.rule_id for f in flags})))
    }
    notes: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for note in await session.scalars(
        select(FlagNote).where(FlagNote.flag_id.in_(ids)).order_by(FlagNote.at, FlagNote.id)
    ):
        notes[note.flag_id].append({"by": note.by, "at": note.at, "body": note.body})
    return [
        _view(flag, officers[flag.officer_id], rules[flag.rule_id], notes[flag.id])
        for flag in flags
    ]


def _view(
    flag: Flag, officer: RosterOfficer, rule: Rule, notes: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": flag.id,
        "officer": officer.ref(),
        "rule": {"id": rule.id, "name": rule.name, "metric": rule.metric},
        "level": flag.level,
        "count": flag.count,
        "peer_percentile": flag.peer_percentile,
        "window_days": flag.window_days,
        "first_at": flag.first_at,
        "last_at": flag.last_at,
        "counted": flag.counted,
        "status": flag.status,
        "notes": notes,
        "version": flag.version,
    }


async def list_flags(
    session: AsyncSession,
    actor: Actor,
    *,
    status: FlagStatus | None,
    level: FlagLevel | None,
    department_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> KeysetPage:
    """Flags by when they last changed, newest first."""
    authorize(policy.intervention(actor.role, InterventionAction.READ_FLAGS))
    stmt = select(Flag)
    if status is not None:
        stmt = stmt.where(Flag.status == status)
    if level is not None:
        stmt = stmt.where(Flag.level == level)
    if department_id is not None:
        stmt = stmt.join(RosterOfficer, RosterOfficer.id == Flag.officer_id).where(
            RosterOfficer.department_id == department_id
        )
    flags, next_cursor = await keyset_page(session, stmt, _NEWEST, limit=limit, cursor=cursor)
    return await _views(session, list(flags)), next_cursor


async def _load(
    session: AsyncSession, actor: Actor, flag_id: uuid.UUID, *, for_update: bool = False
) -> Flag:
    return await load_row(
        session,
        Flag,
        flag_id,
        missing="No such flag.",
        visible=flags_visible_to(actor),
        for_update=for_update,
    )


async def read(session: AsyncSession, actor: Actor, flag_id: uuid.UUID) -> dict[str, Any]:
    """One flag; the read is recorded in the audit log (who looked, and when)."""
    flag = await _load(session, actor, flag_id)
    authorize(policy.intervention(actor.role, InterventionAction.READ_FLAGS))
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.FLAG_READ,
        entity_type=EntityType.FLAG,
        entity_id=flag.id,
    )
    (view,) = await _views(session, [flag])
    return view


async def move(
    session: AsyncSession,
    actor: Actor,
    flag_id: uuid.UUID,
    if_match: str | None,
    data: FlagTransition,
) -> dict[str, Any]:
    flag = await _load(session, actor, flag_id, for_update=True)
    check_version(flag, if_match)
    authorize(policy.intervention(actor.role, InterventionAction.READ_FLAGS))
    given = {"note"} if data.note else set()
    enforce_move(FLAG_MOVES, "flag", flag.status, data.to, actor.role, given)
    if data.note:
        session.add(FlagNote(flag_id=flag.id, by=actor.user_id, body=data.note))
    await record_move(
        session,
        actor,
        flag,
        EntityType.FLAG,
        AuditAction.FLAG_TRANSITION,
        data.to,
        data={"note": data.note} if data.note else None,
    )
    (view,) = await _views(session, [flag])
    return view
