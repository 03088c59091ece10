"""Recommendations of adopted resolutions: answered by the departments they address, and
counted on the public scorecard."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.errors import Conflict
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import KeysetPage, SortKey, keyset_page
from oversight.core.resources import authorize, bump, enforce_move, load_row
from oversight.core.roles import Actor, Role
from oversight.resolutions import machine as resolution_machine
from oversight.resolutions import policy as resolution_policy
from oversight.resolutions.enums import RecommendationStatus, ResolutionStatus
from oversight.resolutions.models import Recommendation, Resolution
from oversight.resolutions.policy import ResolutionAction
from oversight.resolutions.schemas import (
    PublicScorecard,
    RecommendationOut,
    RecommendationResponseCreate,
)
from oversight.resolutions.visibility import recommendations_visible_to

#: Newest resolutions first, each one's recommendations in their order.
_ORDER = (
    SortKey(Resolution.created_at, True),
    SortKey(Recommendation.resolution_id, True),
    SortKey(Recommendation.position),
)
_LISTED: tuple[Any, ...] = (
    *(getattr(Recommendation, name) for name in RecommendationOut.model_fields),
    Recommendation.position,
    Recommendation.responded_at,
    Resolution.number.label("resolution_number"),
    Resolution.title.label("resolution_title"),
    Resolution.created_at,
)


async def page(
    session: AsyncSession,
    actor: Actor,
    *,
    statuses: Sequence[RecommendationStatus],
    department_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> KeysetPage:
    """The commission sees every recommendation; an officer, of those they may see at all
    (``recommendations_visible_to``: never a draft's), their department's of adopted
    resolutions (the ones they answer)."""
    authorize(resolution_policy.resolutions(actor.role, ResolutionAction.LIST_RECOMMENDATIONS))
    stmt = (
        select(*_LISTED)
        .join(Resolution, Recommendation.resolution_id == Resolution.id)
        .where(recommendations_visible_to(actor))
    )
    if actor.role is Role.OFFICER:
        stmt = stmt.where(
            Recommendation.department_id == actor.department_id,
            Resolution.status == ResolutionStatus.ADOPTED,
        )
    if statuses:
        stmt = stmt.where(Recommendation.status.in_([s.value for s in statuses]))
    if department_id is not None:
        stmt = stmt.where(Recommendation.department_id == department_id)
    return await keyset_page(session, stmt, _ORDER, limit=limit, cursor=cursor, columns=True)


async def respond(
    session: AsyncSession,
    actor: Actor,
    recommendation_id: uuid.UUID,
    data: RecommendationResponseCreate,
) -> RecommendationOut:
    """404 (a recommendation of a resolution the caller may not see), 403 (not addressed to
    the caller's department), 409 (its resolution is not adopted), then the machine."""
    recommendation = await load_row(
        session,
        Recommendation,
        recommendation_id,
        missing="No such recommendation.",
        visible=recommendations_visible_to(actor),
        for_update=True,
    )
    resolution = await load_row(
        session, Resolution, recommendation.resolution_id, missing="No such resolution."
    )
    authorize(
        resolution_policy.answer_recommendation(
            actor.role, addressed_to_caller=actor.department_id == recommendation.department_id
        )
    )
    if resolution.status != ResolutionStatus.ADOPTED:
        raise Conflict("Only an adopted resolution's recommendations are answered.")
    enforce_move(
        resolution_machine.RECOMMENDATION_MOVES,
        "recommendation",
        recommendation.status,
        data.status,
        actor.role,
        set(),
    )
    source = recommendation.status
    recommendation.status = data.status
    recommendation.department_response = data.body
    recommendation.responded_at = utcnow()
    bump(session, recommendation, EntityType.RECOMMENDATION, recommendation.responded_at)
    # The resolution's representation shows its recommendations: its version moves too.
    bump(session, resolution, EntityType.RESOLUTION, recommendation.responded_at)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.RECOMMENDATION_TRANSITION,
        entity_type=EntityType.RECOMMENDATION,
        entity_id=recommendation.id,
        from_status=source,
        to_status=data.status,
        data={"resolution_id": resolution.id},
    )
    return RecommendationOut.model_validate(recommendation)


async def scorecard(session: AsyncSession) -> PublicScorecard:
    """The commission's public scorecard, counted in SQL over adopted resolutions."""
    adopted = (
        select(Recommendation.status, Recommendation.due_at)
        .join(Resolution, Resolution.id == Recommendation.resolution_id)
        .where(Resolution.status == ResolutionStatus.ADOPTED)
        .subquery()
    )
    rows = await session.execute(select(adopted.c.status, func.count()).group_by(adopted.c.status))
    by_status = {status.value: 0 for status in RecommendationStatus}
    for status, count in rows:
        by_status[status] = count
    overdue = await session.scalar(
        select(func.count())
        .select_from(adopted)
        .where(
            adopted.c.due_at < utcnow(),
            adopted.c.status.not_in(
                (RecommendationStatus.IMPLEMENTED, RecommendationStatus.REJECTED)
            ),
        )
    )
    return PublicScorecard(total=sum(by_status.values()), by_status=by_status, overdue=overdue or 0)
