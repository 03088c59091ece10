"""Comments on what the commission is about to decide: a resident's (published at once) or an
anonymous caller's (held for moderation), their moderation by commissioners, and the lists
each reader gets.

What a comment may be about, and when it is open for comment, is the ``TARGETS`` table of
``voice.comment_targets``: adding a kind of target is one entry there. A comment's author
is shown by their display name only if they chose to show it, else as "Resident"; no
representation carries an e-mail or an account id, and a hidden comment's body is never served
publicly again (nor deleted).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import User
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.errors import NotFound
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize, check_version, enforce_move, load_row, record_move
from oversight.core.roles import Actor
from oversight.voice import machine as voice_machine
from oversight.voice import policy as voice_policy
from oversight.voice.comment_schemas import CommentCreate, CommentModeration
from oversight.voice.comment_targets import check_open
from oversight.voice.enums import MODERATED, CommentStatus, CommentTarget, author_shown
from oversight.voice.models import Comment
from oversight.voice.policy import VoiceAction
from oversight.voice.visibility import comment_targets_visible_to, comments_visible_to

#: A comment as its author or a commissioner reads it (``CommentOut``), or as the public does
#: (``PublicComment``, ``PublicHiddenComment``): plain values, serialized once by the route.
CommentView = dict[str, Any]


# Views -----------------------------------------------------------------------------------------

#: What every view of a comment is read from: the comment and its author's display name.
_COLUMNS: tuple[Any, ...] = (
    Comment.id,
    Comment.target_type,
    Comment.target_id,
    Comment.body,
    Comment.status,
    Comment.hidden_reason,
    Comment.show_name,
    Comment.version,
    Comment.created_at,
    User.display_name,
)


def _select(*where: ColumnElement[bool]) -> Select[Any]:
    return select(*_COLUMNS).outerjoin(User, User.id == Comment.author_id).where(*where)


def _target(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": row["target_type"], "id": row["target_id"]}


def view(row: Mapping[str, Any]) -> CommentView:
    """``CommentOut``: for its author and for commissioners."""
    return {
        "id": row["id"],
        "target": _target(row),
        "body": row["body"],
        "author": author_shown(row["display_name"], row["show_name"]),
        "status": row["status"],
        "hidden_reason": row["hidden_reason"],
        "created_at": row["created_at"],
        "version": row["version"],
    }


def public_view(row: Mapping[str, Any]) -> CommentView:
    """``PublicComment`` for a published comment; for a hidden one ``PublicHiddenComment``:
    the reason it was hidden, never its body or its author."""
    if row["status"] == CommentStatus.HIDDEN:
        return {
            "id": row["id"],
            "target": _target(row),
            "status": row["status"],
            "hidden_reason": row["hidden_reason"],
            "created_at": row["created_at"],
        }
    return {
        "id": row["id"],
        "target": _target(row),
        "body": row["body"],
        "author": author_shown(row["display_name"], row["show_name"]),
        "status": row["status"],
        "created_at": row["created_at"],
    }


async def _read(
    session: AsyncSession, comment_id: uuid.UUID, *visible: ColumnElement[bool]
) -> Mapping[str, Any]:
    row: Mapping[str, Any] | None = (
        (await session.execute(_select(Comment.id == comment_id, *visible))).mappings().first()
    )
    if row is None:
        raise NotFound("No such comment.")
    return row


OLDEST_FIRST = (SortKey(Comment.created_at), SortKey(Comment.id))
NEWEST_FIRST = (SortKey(Comment.created_at, True), SortKey(Comment.id, True))


async def _page(
    session: AsyncSession,
    stmt: Select[Any],
    keys: tuple[SortKey, ...],
    limit: int,
    cursor: str | None,
) -> tuple[list[Mapping[str, Any]], str | None]:
    """One keyset page of ``_select`` rows, as column mappings."""
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor, columns=True)


def _may(actor: Actor | None, action: VoiceAction) -> None:
    authorize(voice_policy.voice(actor.role if actor else None, action))


# Writes ----------------------------------------------------------------------------------------


async def create(session: AsyncSession, actor: Actor | None, data: CommentCreate) -> CommentView:
    """A resident's comment is published at once; an anonymous one waits for a commissioner.
    Its target is checked first: 404 (none the caller may see), 403, 409 (closed)."""
    target_type, target_id = data.target.type, data.target.id
    await check_open(session, actor, target_type, target_id)
    status = voice_policy.comment_arrives_as(actor.role if actor else None)
    now = utcnow()
    comment = Comment(
        target_type=target_type,
        target_id=target_id,
        author_id=actor.user_id if actor else None,
        # An anonymous comment has no name to show.
        show_name=data.show_name and actor is not None,
        body=data.body,
        status=status,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(comment)
    await session.flush()
    # Neither the body nor the author's name goes into the log: it is public record.
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.COMMENT_CREATED,
        entity_type=EntityType.COMMENT,
        entity_id=comment.id,
        to_status=status,
        data={"target_type": target_type, "target_id": target_id},
    )
    return view(await _read(session, comment.id))


async def moderate(
    session: AsyncSession,
    actor: Actor,
    comment_id: uuid.UUID,
    if_match: str | None,
    data: CommentModeration,
) -> CommentView:
    """Publish a pending comment, or hide a pending or published one (with a reason, shown
    publicly). Hidden is final; nothing is deleted. ``If-Match`` is optional here: when sent,
    a stale one is a 412."""
    comment = await load_row(
        session,
        Comment,
        comment_id,
        missing="No such comment.",
        visible=comments_visible_to(actor),
        for_update=True,
    )
    check_version(comment, if_match)
    _may(actor, VoiceAction.MODERATE)
    target = MODERATED[data.action]
    given = {"reason"} if data.reason else set()
    enforce_move(
        voice_machine.COMMENT_MOVES,
        "comment",
        comment.status,
        target,
        actor.role,
        given,
        via=voice_machine.MODERATION,
    )
    if target is CommentStatus.HIDDEN:
        comment.hidden_reason = data.reason
    await record_move(
        session,
        actor,
        comment,
        EntityType.COMMENT,
        AuditAction.COMMENT_MODERATED,
        target,
        reason=data.reason,
        data={"action": data.action},
    )
    return view(await _read(session, comment.id))


# Reads -----------------------------------------------------------------------------------------


async def queue(
    session: AsyncSession,
    actor: Actor,
    status: CommentStatus,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[CommentView], str | None]:
    """Comments in one status (``pending``: the moderation queue), oldest first."""
    _may(actor, VoiceAction.MODERATE)
    rows, next_cursor = await _page(
        session, _select(Comment.status == status), OLDEST_FIRST, limit, cursor
    )
    return [view(row) for row in rows], next_cursor


async def mine(
    session: AsyncSession, actor: Actor, *, limit: int, cursor: str | None
) -> tuple[list[CommentView], str | None]:
    """The caller's own comments in every status, newest first."""
    _may(actor, VoiceAction.READ_OWN_COMMENTS)
    rows, next_cursor = await _page(
        session, _select(Comment.author_id == actor.user_id), NEWEST_FIRST, limit, cursor
    )
    return [view(row) for row in rows], next_cursor


async def public_page(
    session: AsyncSession,
    target_type: CommentTarget,
    target_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[CommentView], str | None, int]:
    """One target's published comments, oldest first, and how many of its comments are
    hidden. A target nobody commented on, that does not exist or that the public may not see
    (a draft resolution) has an empty page: the public list says nothing about whether an
    unpublished target exists."""
    of_target = (
        Comment.target_type == target_type,
        Comment.target_id == target_id,
        comment_targets_visible_to(None),
    )
    rows, next_cursor = await _page(
        session,
        _select(*of_target, Comment.status == CommentStatus.PUBLISHED),
        OLDEST_FIRST,
        limit,
        cursor,
    )
    hidden = await session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(*of_target, Comment.status == CommentStatus.HIDDEN)
    )
    return [public_view(row) for row in rows], next_cursor, hidden or 0


async def public_read(session: AsyncSession, comment_id: uuid.UUID) -> CommentView:
    """A published comment, or what the public may know of a hidden one; a pending comment
    is not public (404)."""
    return public_view(await _read(session, comment_id, comments_visible_to(None)))
