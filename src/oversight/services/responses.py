"""The police department's answer to a concern referred to it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.db import utcnow
from oversight.domain.concerns import ConcernStatus
from oversight.domain.machines import RESPONSES
from oversight.domain.roles import Actor, Role
from oversight.errors import Forbidden
from oversight.models import PoliceResponse
from oversight.schemas import ResponseCreate
from oversight.services.concerns import NO_DEADLINE, check_concern_move, load, record_move

READERS = frozenset({Role.COMMISSIONER, Role.ADMIN, Role.OFFICER})


async def list_responses(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID
) -> list[PoliceResponse]:
    concern = await load(session, actor, concern_id)
    if actor.role not in READERS:
        raise Forbidden("Department responses are read by the commission and the department.")
    stmt = select(PoliceResponse).where(PoliceResponse.concern_id == concern.id)
    if actor.role is Role.OFFICER:
        stmt = stmt.where(PoliceResponse.department_id == actor.department_id)
    rows = await session.scalars(stmt.order_by(PoliceResponse.created_at, PoliceResponse.id))
    return list(rows.all())


async def post_response(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, data: ResponseCreate
) -> PoliceResponse:
    """An officer of the referred department answers; the concern moves referred -> responded."""
    concern = await load(session, actor, concern_id, for_update=True)
    check_concern_move(concern, ConcernStatus.RESPONDED, actor, {"response"}, via=RESPONSES)
    # Officers see only their department's concerns, so the officer is of the referred one;
    # checked again here, where it matters, rather than assumed.
    if actor.department_id is None or actor.department_id != concern.department_id:
        raise Forbidden("Only an officer of the referred department answers a concern.")
    now = utcnow()
    response = PoliceResponse(
        concern_id=concern.id,
        department_id=actor.department_id,
        author_id=actor.user_id,
        body=data.body,
        action_taken=data.action_taken,
        created_at=now,
    )
    session.add(response)
    await session.flush()
    concern.first_response_at = concern.first_response_at or now
    concern.due_sort = NO_DEADLINE
    await record_move(
        session,
        actor,
        concern,
        ConcernStatus.RESPONDED,
        now,
        data={"response_id": str(response.id), "action_taken": data.action_taken.value},
    )
    return response
