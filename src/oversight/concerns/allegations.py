"""A complaint's allegations: listed with it, added and given findings by commissioners."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import Kind
from oversight.concerns.models import Allegation
from oversight.concerns.policy import ConcernAction
from oversight.concerns.schemas import AllegationCreate, AllegationUpdate
from oversight.concerns.service import allegations_of, changed, check_categories, load
from oversight.core.clock import utcnow
from oversight.core.errors import NotFound, Unprocessable
from oversight.core.events import AuditAction
from oversight.core.resources import authorize
from oversight.core.roles import Actor


async def list_allegations(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID
) -> list[Allegation]:
    concern = await load(session, actor, concern_id)
    return await allegations_of(session, concern.id)


async def add_allegation(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, data: AllegationCreate
) -> Allegation:
    concern = await load(session, actor, concern_id, for_update=True)
    authorize(concern_policy.concerns(actor.role, ConcernAction.ADD_ALLEGATION))
    if concern.kind != Kind.COMPLAINT:
        raise Unprocessable("Only complaints carry allegations.", loc=("body",))
    await check_categories(session, (("body", "category"), {data.category}))
    now = utcnow()
    position = await session.scalar(
        select(func.coalesce(func.max(Allegation.position) + 1, 0)).where(
            Allegation.concern_id == concern.id
        )
    )
    allegation = Allegation(
        concern_id=concern.id, position=position, created_at=now, **data.model_dump()
    )
    session.add(allegation)
    await changed(
        session,
        actor,
        concern,
        now,
        AuditAction.ALLEGATION_ADDED,
        data={"allegation_id": allegation.id, "category": allegation.category},
    )
    return allegation


async def change_allegation(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    data: AllegationUpdate,
) -> Allegation:
    concern = await load(session, actor, concern_id, for_update=True)
    allegation = await session.scalar(
        select(Allegation).where(
            Allegation.id == allegation_id, Allegation.concern_id == concern.id
        )
    )
    if allegation is None:
        raise NotFound("No such allegation on this concern.")
    authorize(concern_policy.concerns(actor.role, ConcernAction.CHANGE_ALLEGATION))
    wanted = data.model_dump(exclude_unset=True)
    if "category" in wanted:
        if wanted["category"] is None:
            raise Unprocessable("category may not be null.", loc=("body", "category"))
        await check_categories(session, (("body", "category"), {wanted["category"]}))
    before = {k: getattr(allegation, k) for k in wanted if getattr(allegation, k) != wanted[k]}
    after = {k: wanted[k] for k in before}
    if after:
        for name, value in after.items():
            setattr(allegation, name, value)
        await changed(
            session,
            actor,
            concern,
            utcnow(),
            AuditAction.ALLEGATION_CHANGED,
            data={"allegation_id": allegation.id, "before": before, "after": after},
        )
    return allegation
