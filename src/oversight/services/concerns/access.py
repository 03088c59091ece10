"""Who reads which concerns: the one visibility filter, and loading by it."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.domain.policies import SEES_EVERY_CONCERN
from oversight.domain.roles import Actor, Role
from oversight.errors import NotFound
from oversight.models import Concern

NOT_FOUND = "No such concern."


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The one filter for "which concerns may this caller read": lists and reads both use it."""
    if actor.role in SEES_EVERY_CONCERN:
        return true()
    if actor.role is Role.RESIDENT:
        return Concern.submitted_by == actor.user_id
    if actor.role is Role.OFFICER and actor.department_id is not None:
        return Concern.department_id == actor.department_id
    return false()


async def load(
    session: AsyncSession, actor: Actor, concern_id: uuid.UUID, *, for_update: bool = False
) -> Concern:
    """A concern the caller may see, else 404. ``for_update`` serializes writers on its row."""
    stmt = select(Concern).where(Concern.id == concern_id, visible_to(actor))
    if for_update:
        stmt = stmt.with_for_update()
    concern = await session.scalar(stmt.execution_options(populate_existing=True))
    if concern is None:
        raise NotFound(NOT_FOUND)
    return concern
