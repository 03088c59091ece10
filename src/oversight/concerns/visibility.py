"""Who reads which concerns: the one visibility filter, and loading by it."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.models import Concern
from oversight.concerns.policy import SEES_EVERY_CONCERN
from oversight.core.errors import NotFound
from oversight.core.roles import Actor, Role

NOT_FOUND = "No such concern."


class Sight(StrEnum):
    """Which concerns a caller may read: all, those they submitted, their department's, none."""

    EVERY = "every"
    OWN = "own"
    DEPARTMENT = "department"
    NONE = "none"


def sight_filter(
    kind: Sight, viewer: uuid.UUID | BindParameter[Any] | None = None
) -> ColumnElement[bool]:
    """``kind`` as a filter; ``viewer`` is the caller's id (OWN) or department's (DEPARTMENT),
    a value or, for a statement built once, ``bindparam("viewer")``."""
    if kind is Sight.EVERY:
        return true()
    if kind is Sight.OWN:
        return Concern.submitted_by == viewer
    if kind is Sight.DEPARTMENT:
        return Concern.department_id == viewer
    return false()


def sight(actor: Actor) -> tuple[Sight, dict[str, uuid.UUID]]:
    """The one rule for "which concerns may this caller read", and the ``viewer`` to bind."""
    if actor.role in SEES_EVERY_CONCERN:
        return Sight.EVERY, {}
    if actor.role is Role.RESIDENT:
        return Sight.OWN, {"viewer": actor.user_id}
    if actor.role is Role.OFFICER and actor.department_id is not None:
        return Sight.DEPARTMENT, {"viewer": actor.department_id}
    return Sight.NONE, {}


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """``sight`` as a filter with its value bound: lists and reads both use it."""
    kind, viewer = sight(actor)
    return sight_filter(kind, viewer.get("viewer"))


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
