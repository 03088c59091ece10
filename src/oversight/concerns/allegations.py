"""A complaint's allegations: listed with it, added and given findings by commissioners."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import Kind
from oversight.concerns.models import Allegation
from oversight.concerns.policy import ConcernAction
from oversight.concerns.schemas import AllegationCreate, AllegationUpdate
from oversight.concerns.service import changed, check_categories, load
from oversight.concerns.view import allegations_of, sees_accused, shown_allegation
from oversight.core.clock import utcnow
from oversight.core.errors import NotFound, Unprocessable
from oversight.core.events import AuditAction
from oversight.core.resources import authorize
from oversight.core.roles import Actor
from oversight.officers import candidates
from oversight.officers.models import RosterOfficer


async def list_allegations(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID
) -> list[dict[str, Any]]:
    concern = await load(session, actor, concern_id)
    accused = sees_accused(actor)
    return [shown_allegation(row, accused) for row in await allegations_of(session, concern.id)]


async def shown(session: AsyncSession, actor: Actor, allegation: Allegation) -> dict[str, Any]:
    await session.flush()
    (row,) = await allegations_of(session, allegation.concern_id, allegation.id)
    return shown_allegation(row, sees_accused(actor))


async def add_allegation(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, data: AllegationCreate
) -> dict[str, Any]:
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
    return await shown(session, actor, allegation)


async def allegation_of(
    session: AsyncSession, concern_id: uuid.UUID, allegation_id: uuid.UUID
) -> Allegation:
    allegation = await session.scalar(
        select(Allegation).where(
            Allegation.id == allegation_id, Allegation.concern_id == concern_id
        )
    )
    if allegation is None:
        raise NotFound("No such allegation on this concern.")
    return allegation


async def change_allegation(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    data: AllegationUpdate,
) -> dict[str, Any]:
    concern = await load(session, actor, concern_id, for_update=True)
    allegation = await allegation_of(session, concern.id, allegation_id)
    authorize(concern_policy.concerns(actor.role, ConcernAction.CHANGE_ALLEGATION))
    wanted = data.model_dump(exclude_unset=True)
    if "category" in wanted:
        if wanted["category"] is None:
            raise Unprocessable("category may not be null.", loc=("body", "category"))
        await check_categories(session, (("body", "category"), {wanted["category"]}))
    before = {k: getattr(allegation, k) for k in wanted if getattr(allegation, k) != wanted[k]}
    after = {k: wanted[k] for k in before}
    event: dict[str, Any] = {"allegation_id": allegation.id, "before": before, "after": after}
    if after.get("officer_id") is not None:
        officer = await session.get(RosterOfficer, after["officer_id"])
        if officer is None:
            raise Unprocessable("No such officer on the roster.", loc=("body", "officer_id"))
        # Allowed (a referral can be wrong), but said: the history and the flags show it.
        event["other_department"] = officer.department_id != concern.department_id
    if after:
        for name, value in after.items():
            setattr(allegation, name, value)
        await changed(session, actor, concern, utcnow(), AuditAction.ALLEGATION_CHANGED, data=event)
    return await shown(session, actor, allegation)


async def officer_candidates(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, allegation_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The roster officers the allegation most likely names (commissioners)."""
    concern = await load(session, actor, concern_id)
    allegation = await allegation_of(session, concern.id, allegation_id)
    authorize(concern_policy.concerns(actor.role, ConcernAction.CHANGE_ALLEGATION))
    return await candidates.ranked(
        session, allegation.officer_badge, allegation.officer_name, concern.department_id
    )
