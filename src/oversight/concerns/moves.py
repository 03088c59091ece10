"""A concern's moves through its machine, and each move's effects, in one table.

``transition`` serves ``POST /concerns/{id}/transitions``; ``make_move`` is the one way any
move is made (a department's response makes `responded` through it). Checks come in the
contract's order: 404 (``load``), 428/412 (``check_version``), 409/403/422 (the machine), then
what the move itself needs (422).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Department
from oversight.concerns import machine as concern_machine
from oversight.concerns.enums import NO_DEADLINE, Finding, Kind
from oversight.concerns.enums import disposition_from_findings as derive
from oversight.concerns.machine import (
    CLOSED,
    DISMISSED,
    REFERRED,
    RESOLVED,
    RESPONDED,
    SCHEDULED,
    TRIAGED,
    UNDER_REVIEW,
    WITHDRAWN,
)
from oversight.concerns.models import Allegation, Concern, PoliceResponse
from oversight.concerns.schemas import ConcernTransition
from oversight.concerns.view import ConcernView, view_loaded
from oversight.concerns.visibility import load
from oversight.core import machine as machines
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.errors import Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import check_version, enforce_move, record_change, record_move
from oversight.core.roles import Actor
from oversight.meetings import agenda


async def changed(
    session: AsyncSession,
    actor: Actor | None,
    concern: Concern,
    now: datetime,
    action: AuditAction,
    **event: Any,
) -> None:
    """A change to the concern or a part shown in it: new version, flushed, audited."""
    await record_change(session, actor, concern, EntityType.CONCERN, action, now, **event)


@dataclass
class Moving:
    """One move being made: what its effect may read and change."""

    session: AsyncSession
    actor: Actor
    concern: Concern
    request: ConcernTransition
    now: datetime
    allegations: Sequence[Allegation] = ()
    #: For a referral's default deadline.
    settings: Settings | None = None
    #: The department's answer, for the move to `responded`.
    response: PoliceResponse | None = None


#: A move's effect on the concern (and its agenda); returns what its audit event carries.
Effect = Callable[[Moving], Awaitable[dict[str, Any]]]


async def _triaged(m: Moving) -> dict[str, Any]:
    m.concern.triaged_at = m.now
    return {}


async def _referred(m: Moving) -> dict[str, Any]:
    department_id, due = m.request.department_id, m.request.response_due_at
    if department_id is None or await m.session.get(Department, department_id) is None:
        raise Unprocessable("No such department.", loc=("body", "department_id"))
    if m.settings is None:
        raise TypeError("a referral needs the settings for its default deadline")
    due = due or m.now + timedelta(days=m.settings.response_sla_days)
    if due <= m.now:
        raise Unprocessable(
            "response_due_at must be in the future.", loc=("body", "response_due_at")
        )
    m.concern.department_id = department_id
    m.concern.referred_at = m.now
    m.concern.response_due_at = due
    m.concern.due_sort = due
    return {"department_id": department_id, "response_due_at": due}


async def _responded(m: Moving) -> dict[str, Any]:
    if m.response is None:  # the machine requires it; this is for the type checker
        raise Unprocessable("A move to responded needs a response.", loc=("body",))
    m.concern.first_response_at = m.concern.first_response_at or m.now
    return {"response_id": m.response.id, "action_taken": m.response.action_taken}


async def _resolved(m: Moving) -> dict[str, Any]:
    disposition = _disposition(m.concern, m.allegations, m.request)
    m.concern.disposition = disposition
    m.concern.resolved_at = m.now
    findings = {str(item.allegation_id): item.finding for item in m.request.findings or []}
    return {"disposition": disposition, **({"findings": findings} if findings else {})}


async def _closed(m: Moving) -> dict[str, Any]:
    m.concern.closed_at = m.now
    return {}


async def _under_review(m: Moving) -> dict[str, Any]:
    if m.concern.status in {DISMISSED, RESOLVED, CLOSED}:
        # Reopened: the earlier outcome no longer stands.
        m.concern.disposition = None
        m.concern.resolved_at = None
        m.concern.closed_at = None
        return {"reopened": True}
    if m.concern.status == SCHEDULED and m.request.meeting_id is not None:
        # Its meeting was cancelled (the only move back that names a meeting): its item stays
        # on the cancelled meeting's agenda, for the record.
        return {"meeting_id": m.request.meeting_id}
    if m.concern.status == SCHEDULED:
        # Deferred: it leaves the agenda of a meeting that has not met yet.
        await agenda.unschedule_concern(m.session, m.actor, m.concern)
    return {}


async def _scheduled(m: Moving) -> dict[str, Any]:
    if m.request.meeting_id is None:  # the machine requires it; this is for the type checker
        raise Unprocessable("A move to scheduled needs meeting_id.", loc=("body", "meeting_id"))
    item = await agenda.schedule_concern(m.session, m.actor, m.request.meeting_id, m.concern)
    return {"meeting_id": m.request.meeting_id, "agenda_item_id": item.id}


#: Every move's effect, by its target. Every move also stops the stage clock
#: (``due_sort``); a referral starts the response clock again.
EFFECTS: dict[str, Effect] = {
    TRIAGED: _triaged,
    REFERRED: _referred,
    RESPONDED: _responded,
    RESOLVED: _resolved,
    CLOSED: _closed,
    WITHDRAWN: _closed,
    DISMISSED: _closed,
    UNDER_REVIEW: _under_review,
    SCHEDULED: _scheduled,
}


def check(moving: Moving, *, via: str | None = None) -> machines.Move:
    """The move against the machine (409, 403, 422), and no field of another move (422)."""
    concern, request = moving.concern, moving.request
    given = {name for name in request.model_fields_set if getattr(request, name) is not None}
    if moving.response is not None:
        given.add("response")
    # A complaint's findings make its disposition; the machine then counts it as given.
    if request.to == RESOLVED and _derivable(concern, moving.allegations):
        given.add("disposition")
    found = enforce_move(
        concern_machine.CONCERN_MOVES,
        "concern",
        concern.status,
        request.to,
        moving.actor.role,
        given,
        via,
    )
    if stray := machines.stray_fields(concern_machine.CONCERN_MOVES, found, given):
        name = stray[0]
        raise Unprocessable(f"{name} does not apply to a move to {request.to}.", loc=("body", name))
    return found


async def make_move(moving: Moving, *, via: str | None = None) -> None:
    """Check the move, apply its effect and record it: the one way a concern's status
    changes. ``via`` names the endpoint that makes a move as a side effect."""
    check(moving, via=via)
    concern, request = moving.concern, moving.request
    concern.due_sort = NO_DEADLINE
    effects = await EFFECTS[request.to](moving)
    # A move made through /transitions carries its public note (if any) in the log, and so
    # does a move made by another endpoint that gives one (a meeting's cancellation).
    note = {"public_note": request.public_note} if via is None or request.public_note else {}
    await record_move(
        moving.session,
        moving.actor,
        concern,
        EntityType.CONCERN,
        AuditAction.CONCERN_TRANSITION,
        request.to,
        moving.now,
        reason=request.reason,
        data={**note, **effects},
    )


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
    allegations = await session.scalars(
        select(Allegation).where(Allegation.concern_id == concern.id).order_by(Allegation.position)
    )
    now = utcnow()
    await make_move(Moving(session, actor, concern, data, now, list(allegations), settings))
    await session.flush()  # the findings the move recorded, read back with their officers
    return await view_loaded(session, concern, actor, now)


def _derivable(concern: Concern, allegations: Sequence[Allegation]) -> bool:
    return concern.kind == Kind.COMPLAINT and bool(allegations)


def _disposition(
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
    if not _derivable(concern, allegations):
        if data.disposition is None:
            raise Unprocessable("Resolving needs a disposition.", loc=("body", "disposition"))
        return data.disposition
    if missing := [str(a.id) for a in allegations if a.finding is None]:
        raise Unprocessable(
            "Every allegation needs a finding before the complaint is resolved; missing: "
            + ", ".join(missing),
            loc=("body", "findings"),
        )
    derived = derive(Finding(a.finding) for a in allegations if a.finding)
    if data.disposition is not None and data.disposition != derived:
        raise Unprocessable(
            f"The findings make the disposition {derived.value}, not {data.disposition.value}.",
            loc=("body", "disposition"),
        )
    return derived
