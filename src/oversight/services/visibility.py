"""Which rows of the commission's records a caller may read: one query filter per resource.

Each resource's single read, its lists and every write on it use the same filter, and a write
loads through it before anything else (``common.load_row(..., visible=...)``): a row the caller
may not see is a 404 before any version (428/412), policy (403) or state (409) check, and is
never locked for them. The rules themselves are ``domain.policies`` (``sees_resolution``,
``sees_comment``); these are the same rules as SQL. Concerns have theirs in
``services.concerns.access``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, and_, or_, select, true

from oversight.domain.policies import (
    PUBLIC_COMMENTS,
    PUBLIC_RESOLUTIONS,
    SEES_EVERY_COMMENT,
    SEES_EVERY_RESOLUTION,
)
from oversight.domain.resolutions import ResolutionStatus
from oversight.domain.roles import Actor, Role
from oversight.domain.voice import CommentTarget
from oversight.models import Comment, Recommendation, Resolution


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


def _visible_resolution_ids(actor: Actor | None) -> Select[uuid.UUID]:
    return select(Resolution.id).where(resolutions_visible_to(actor))


def recommendations_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """A recommendation is part of its resolution: seen exactly when the resolution is."""
    if _role(actor) in SEES_EVERY_RESOLUTION:
        return true()
    return Recommendation.resolution_id.in_(_visible_resolution_ids(actor))


def meetings_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """Every meeting is public from the moment it is scheduled (``/public/meetings``, the
    calendar feed, whose SEQUENCE is its version): meetings have no unpublished state, so no
    meeting is hidden from anyone. What non-staff may not do with one is the policy's 403."""
    return true()


def comment_targets_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """Comments whose target the caller may see. Of the targets (``comment_targets.TARGETS``) only a
    resolution can be hidden: agenda items are on public meetings, proposals and budget lines
    are public from their creation."""
    if _role(actor) in SEES_EVERY_RESOLUTION:
        return true()
    return or_(
        Comment.target_type != CommentTarget.RESOLUTION,
        Comment.target_id.in_(_visible_resolution_ids(actor)),
    )


def comments_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """``policies.sees_comment`` as a filter, narrowed to targets the caller may see: the
    moderators every comment, authors their own, everyone the published and hidden ones of a
    target they may see."""
    if _role(actor) in SEES_EVERY_COMMENT:
        return true()
    public = and_(Comment.status.in_(sorted(PUBLIC_COMMENTS)), comment_targets_visible_to(actor))
    if actor is None:
        return public
    return or_(Comment.author_id == actor.user_id, public)
