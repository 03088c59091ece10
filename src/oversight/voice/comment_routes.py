"""Comments on what the commission is about to decide: residents' and anonymous comments,
their moderation, and the public list of a target's published comments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from oversight.accounts.deps import CurrentActor, OptionalActor
from oversight.core.errors import ProblemCode
from oversight.core.http.deps import Cursor, IfMatch, Limit, LimiterDep, SessionDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import json_response
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.ratelimit import RateLimit, client_ip
from oversight.core.schemas import Page
from oversight.voice import comments
from oversight.voice.comment_schemas import (
    CommentCreate,
    CommentModeration,
    CommentOut,
    PublicCommentPage,
    PublicCommentView,
)
from oversight.voice.enums import CommentStatus, CommentTarget

router = APIRouter(tags=["comments"])
public = APIRouter(prefix="/public", tags=["public"])


def comment_response(comment: comments.CommentView, status_code: int = 200) -> Response:
    return json_response(comment, status_code, headers={"ETag": f'"{comment["version"]}"'})


@router.post(
    "/comments", name="post", status_code=status.HTTP_201_CREATED, response_model=CommentOut
)
@documented(raises=(ProblemCode.NOT_FOUND, ProblemCode.CONFLICT))
async def post_comment(
    body: CommentCreate,
    request: Request,
    session: SessionDep,
    actor: OptionalActor,
    limiter: LimiterDep,
) -> Response:
    """Comment on an agenda item of a scheduled or in-session meeting, a proposed resolution
    or an open or qualified proposal. A resident's comment is published at once; an anonymous
    one waits for a commissioner (and is rate-limited per client IP: 429 with Retry-After).
    A target closed for comment is a 409; an unknown one a 404."""
    if actor is None:
        await limiter.hit(RateLimit.COMMENT_IP, client_ip(request))
    return comment_response(await comments.create(session, actor, body), 201)


@router.get("/comments", name="list", response_model=Page[CommentOut])
async def list_comments(
    session: SessionDep,
    actor: CurrentActor,
    status: Annotated[
        CommentStatus, Query(description="`pending`: the moderation queue.")
    ] = CommentStatus.PENDING,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Commissioners: comments in one status, oldest first (by default the pending ones)."""
    items, next_cursor = await comments.queue(session, actor, status, limit=limit, cursor=cursor)
    return json_response({"items": items, "next_cursor": next_cursor})


@router.post("/comments/{comment_id}/moderation", name="moderate", response_model=CommentOut)
@documented(raises=(ProblemCode.NOT_A_MOVE,))
async def moderate_comment(
    comment_id: uuid.UUID,
    body: CommentModeration,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Commissioners: `publish` a pending comment, or `hide` a pending or published one with a
    `reason` (shown publicly). Hidden is final. `If-Match` with the comment's ETag is required
    (428 without it, 412 when stale), as for every resource that changes."""
    return comment_response(await comments.moderate(session, actor, comment_id, if_match, body))


@router.get("/users/me/comments", name="mine", response_model=Page[CommentOut])
async def my_comments(
    session: SessionDep, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Residents: your own comments in every status, newest first."""
    items, next_cursor = await comments.mine(session, actor, limit=limit, cursor=cursor)
    return json_response({"items": items, "next_cursor": next_cursor})


@public.get("/comments", name="comments", response_model=PublicCommentPage)
async def public_comments(
    session: SessionDep,
    target_type: CommentTarget,
    target_id: uuid.UUID,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """One target's published comments, oldest first, and how many of its comments were
    hidden by moderation."""
    items, next_cursor, hidden = await comments.public_page(
        session, target_type, target_id, limit=limit, cursor=cursor
    )
    return json_response({"items": items, "next_cursor": next_cursor, "hidden_count": hidden})


@public.get("/comments/{comment_id}", name="comment", response_model=PublicCommentView)
async def public_comment(comment_id: uuid.UUID, session: SessionDep) -> Response:
    """A published comment; of a hidden one, only why it was hidden. Pending ones: 404."""
    return json_response(await comments.public_read(session, comment_id))
