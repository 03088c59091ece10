"""Which comments a caller may read, as query filters (the rule is ``policy.sees_comment``,
narrowed to targets the caller may see)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from oversight.core.roles import Actor, Role
from oversight.resolutions.policy import SEES_EVERY_RESOLUTION
from oversight.resolutions.visibility import visible_resolution_ids
from oversight.voice.enums import CommentTarget
from oversight.voice.models import Comment
from oversight.voice.policy import PUBLIC_COMMENTS, SEES_EVERY_COMMENT


def _role(actor: Actor | None) -> Role | None:
    return actor.role if actor else None


def comment_targets_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """Comments whose target the caller may see. Of the targets (``comment_targets.TARGETS``) only a
    resolution can be hidden: agenda items are on public meetings, proposals and budget lines
    are public from their creation."""
    if _role(actor) in SEES_EVERY_RESOLUTION:
        return true()
    return or_(
        Comment.target_type != CommentTarget.RESOLUTION,
        Comment.target_id.in_(visible_resolution_ids(actor)),
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
