"""Discipline on an allegation: what the commission recommended, what the department imposed.

The commission recommends on a sustained or policy-failure finding (and may change its
recommendation until the department decides); an officer account of the referred department
records the decision once, with its reason. A second decision needs a correction a commissioner
opened; the decision that follows is audited with the values it replaced."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import policy as concern_policy
from oversight.concerns.allegations import allegation_of, shown
from oversight.concerns.enums import DISCIPLINE_FINDINGS, DisciplineLevel
from oversight.concerns.models import Allegation, Concern
from oversight.concerns.policy import ConcernAction
from oversight.concerns.schemas import CorrectionCreate, DecisionIn, RecommendationIn
from oversight.concerns.service import changed, load
from oversight.core.clock import utcnow
from oversight.core.errors import Conflict, Unprocessable
from oversight.core.events import AuditAction
from oversight.core.resources import authorize
from oversight.core.roles import Actor

#: The imposed values a correction replaces, as the audit log records them.
IMPOSED = ("imposed_level", "imposed_days", "imposed_reason")


async def _target(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    action: ConcernAction,
) -> tuple[Concern, Allegation]:
    """The concern (404 unless visible, locked) and its allegation (404), then the policy."""
    concern = await load(session, actor, concern_id, for_update=True)
    allegation = await allegation_of(session, concern.id, allegation_id)
    authorize(
        concern_policy.concerns(
            actor.role, action, own_department=concern.department_id == actor.department_id
        )
    )
    if allegation.finding not in DISCIPLINE_FINDINGS:
        raise Conflict(
            "Discipline follows a sustained or policy-failure finding; this allegation's "
            f"finding is {allegation.finding or 'not yet recorded'}."
        )
    return concern, allegation


def _days(level: DisciplineLevel, days: int | None) -> int | None:
    if (level == DisciplineLevel.SUSPENSION) != (days is not None):
        raise Unprocessable("days goes with a suspension, and only with one.", loc=("body", "days"))
    return days


async def recommend(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    data: RecommendationIn,
) -> dict[str, Any]:
    concern, allegation = await _target(
        session, actor, concern_id, allegation_id, ConcernAction.RECOMMEND_DISCIPLINE
    )
    if allegation.imposed_level is not None:
        raise Conflict("The department has decided; the recommendation stands as it was.")
    days = _days(data.level, data.days)
    before = {"level": allegation.recommended_level, "days": allegation.recommended_days}
    now = utcnow()
    allegation.recommended_level, allegation.recommended_days = data.level, days
    allegation.recommended_at = now
    await changed(
        session,
        actor,
        concern,
        now,
        AuditAction.DISCIPLINE_RECOMMENDED,
        data={
            "allegation_id": allegation.id,
            "before": before,
            "after": {"level": data.level, "days": days},
        },
    )
    return await shown(session, actor, allegation)


async def decide(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    data: DecisionIn,
) -> dict[str, Any]:
    concern, allegation = await _target(
        session, actor, concern_id, allegation_id, ConcernAction.IMPOSE_DISCIPLINE
    )
    if allegation.recommended_level is None:
        raise Conflict("The commission has not recommended discipline on this allegation yet.")
    correcting = allegation.correction_reason
    if allegation.imposed_level is not None and correcting is None:
        raise Conflict(
            "The department's decision is recorded; a commissioner opens a correction first."
        )
    days = _days(data.level, data.days)
    before = {name: getattr(allegation, name) for name in IMPOSED}
    now = utcnow()
    allegation.imposed_level, allegation.imposed_days = data.level, days
    allegation.imposed_reason, allegation.imposed_at = data.reason, now
    allegation.correction_reason = None
    await changed(
        session,
        actor,
        concern,
        now,
        AuditAction.DISCIPLINE_IMPOSED,
        data={
            "allegation_id": allegation.id,
            "correction": correcting,
            "before": before,
            "after": {name: getattr(allegation, name) for name in IMPOSED},
        },
    )
    return await shown(session, actor, allegation)


async def open_correction(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    data: CorrectionCreate,
) -> dict[str, Any]:
    concern, allegation = await _target(
        session, actor, concern_id, allegation_id, ConcernAction.CORRECT_DISCIPLINE
    )
    if allegation.imposed_level is None:
        raise Conflict("There is no decision to correct: the department has not decided yet.")
    if allegation.correction_reason is not None:
        raise Conflict("A correction is already open on this allegation's discipline.")
    allegation.correction_reason = data.reason
    await changed(
        session,
        actor,
        concern,
        utcnow(),
        AuditAction.DISCIPLINE_CORRECTION_OPENED,
        data={"allegation_id": allegation.id, "reason": data.reason},
    )
    return await shown(session, actor, allegation)
