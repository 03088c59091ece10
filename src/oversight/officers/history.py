"""An officer's history for the commission: every allegation linked to them and every
commendation naming them, each read recorded in the audit log (who looked, and when)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.enums import DISCIPLINE_FINDINGS, discipline_outcome
from oversight.concerns.models import Allegation, CommendedOfficer, Concern
from oversight.core import audit
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import authorize
from oversight.core.roles import Actor
from oversight.officers import policy
from oversight.officers.policy import RosterAction
from oversight.officers.service import OFFICER_FIELDS, load


def _discipline(row: Any) -> dict[str, Any] | None:
    if row.recommended_level is None or row.finding not in DISCIPLINE_FINDINGS:
        return None
    return {
        "recommended": row.recommended_level,
        "recommended_days": row.recommended_days,
        "imposed": row.imposed_level,
        "imposed_days": row.imposed_days,
        "outcome": discipline_outcome(
            row.recommended_level, row.recommended_days, row.imposed_level, row.imposed_days
        ),
    }


async def history(session: AsyncSession, actor: Actor, officer_id: uuid.UUID) -> dict[str, Any]:
    officer = await load(session, actor, officer_id)
    authorize(policy.roster(actor.role, RosterAction.HISTORY))
    allegations = await session.execute(
        select(
            Allegation.id,
            Allegation.concern_id,
            Allegation.category,
            Allegation.finding,
            Allegation.recommended_level,
            Allegation.recommended_days,
            Allegation.imposed_level,
            Allegation.imposed_days,
            Concern.status,
            Concern.created_at,
            Concern.department_id,
        )
        .join(Concern, Concern.id == Allegation.concern_id)
        .where(Allegation.officer_id == officer.id)
        .order_by(Concern.created_at.desc(), Allegation.position)
    )
    commendations = await session.execute(
        select(Concern.id, Concern.category, Concern.status, Concern.created_at)
        .join(CommendedOfficer, CommendedOfficer.concern_id == Concern.id)
        .where(CommendedOfficer.officer_id == officer.id)
        .order_by(Concern.created_at.desc(), Concern.id)
    )
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.OFFICER_HISTORY_READ,
        entity_type=EntityType.OFFICER,
        entity_id=officer.id,
    )
    return {
        "officer": {name: getattr(officer, name) for name in OFFICER_FIELDS},
        "allegations": [
            {
                "allegation_id": row.id,
                "concern_id": row.concern_id,
                "category": row.category,
                "finding": row.finding,
                "discipline": _discipline(row),
                "month": row.created_at.strftime("%Y-%m"),
                "status": row.status,
                # A link across departments is allowed (a referral can be wrong), and said.
                "other_department": row.department_id is not None
                and row.department_id != officer.department_id,
            }
            for row in allegations
        ],
        "commendations": [
            {
                "concern_id": row.id,
                "category": row.category,
                "month": row.created_at.strftime("%Y-%m"),
                "status": row.status,
            }
            for row in commendations
        ],
    }
