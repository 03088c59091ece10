"""The police department's answer to a concern referred to it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import ConcernStatus
from oversight.concerns.machine import RESPONSES
from oversight.concerns.models import PoliceResponse
from oversight.concerns.moves import check
from oversight.concerns.policy import ConcernAction
from oversight.concerns.schemas import ConcernTransition, ResponseCreate
from oversight.concerns.service import Moving, load, make_move
from oversight.core.clock import utcnow
from oversight.core.resources import authorize
from oversight.core.roles import Actor, Role


async def list_responses(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID
) -> list[PoliceResponse]:
    concern = await load(session, actor, concern_id)
    authorize(concern_policy.concerns(actor.role, ConcernAction.READ_RESPONSES))
    stmt = select(PoliceResponse).where(PoliceResponse.concern_id == concern.id)
    if actor.role is Role.OFFICER:
        stmt = stmt.where(PoliceResponse.department_id == actor.department_id)
    rows = await session.scalars(stmt.order_by(PoliceResponse.created_at, PoliceResponse.id))
    return list(rows.all())


async def post_response(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, data: ResponseCreate
) -> PoliceResponse:
    """An officer of the referred department answers; the concern moves referred -> responded
    (the move's effects are the concern machine's, with every other move's)."""
    concern = await load(session, actor, concern_id, for_update=True)
    now = utcnow()
    response = PoliceResponse(
        concern_id=concern.id,
        department_id=actor.department_id,
        author_id=actor.user_id,
        body=data.body,
        action_taken=data.action_taken,
        created_at=now,
    )
    moving = Moving(
        session,
        actor,
        concern,
        ConcernTransition(to=ConcernStatus.RESPONDED),
        now,
        response=response,
    )
    check(moving, via=RESPONSES)
    # Officers see only their department's concerns, so the officer is of the referred one;
    # checked again here, where it matters, rather than assumed.
    authorize(
        concern_policy.concerns(
            actor.role,
            ConcernAction.RESPOND,
            own_department=actor.department_id is not None
            and actor.department_id == concern.department_id,
        )
    )
    session.add(response)
    await make_move(moving, via=RESPONSES)
    return response
