"""Which resolutions and recommendations a caller may read, as query filters (the rule is
``policy.sees_resolution``). A row the caller may not see is a 404 before any version, policy or
state check (``load_row(..., visible=...)``)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, and_, or_, select, true

from oversight.core.roles import Actor, Role
from oversight.resolutions.enums import ResolutionStatus
from oversight.resolutions.models import Recommendation, Resolution
from oversight.resolutions.policy import PUBLIC_RESOLUTIONS, SEES_EVERY_RESOLUTION


def _role(actor: Actor | None) -> Role | None:
    return actor.role if actor else None


def resolutions_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """``policies.sees_resolution``: staff every one; anyone else (anonymous callers too) a
    proposed or decided one, or one withdrawn after it was proposed (it keeps its meeting); an
    officer also those with a recommendation to their department."""
    if _role(actor) in SEES_EVERY_RESOLUTION:
        return true()
    public = or_(
        Resolution.status.in_(sorted(PUBLIC_RESOLUTIONS)),
        and_(Resolution.status == ResolutionStatus.WITHDRAWN, Resolution.meeting_id.is_not(None)),
    )
    if actor is None or actor.role is not Role.OFFICER or actor.department_id is None:
        return public
    addressed = select(Recommendation.resolution_id).where(
        Recommendation.department_id == actor.department_id
    )
    return or_(public, Resolution.id.in_(addressed))


def visible_resolution_ids(actor: Actor | None) -> Select[uuid.UUID]:
    return select(Resolution.id).where(resolutions_visible_to(actor))


def recommendations_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """A recommendation is part of its resolution: seen exactly when the resolution is."""
    if _role(actor) in SEES_EVERY_RESOLUTION:
        return true()
    return Recommendation.resolution_id.in_(visible_resolution_ids(actor))
