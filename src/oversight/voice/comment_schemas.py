"""Comments on what the commission is about to decide, as residents send them, as their
authors and commissioners read them, and as the public sees them (the body and the chosen
name, nothing else of the resident)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from oversight.core.schemas import In, Out, Reason
from oversight.voice.enums import CommentStatus, CommentTarget, Moderation

CommentBody = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
]


class CommentTargetRef(BaseModel):
    type: CommentTarget
    id: uuid.UUID


class CommentTargetIn(In):
    type: CommentTarget
    id: uuid.UUID


class CommentCreate(In):
    target: CommentTargetIn
    body: CommentBody
    show_name: bool = Field(
        default=False,
        description="Show your display name with the comment; otherwise it reads `Resident`.",
    )


class CommentModeration(In):
    action: Moderation
    reason: Reason | None = Field(
        default=None, description="Required to hide; shown publicly as `hidden_reason`."
    )


class CommentOut(Out):
    """A comment as its author or a commissioner reads it."""

    id: uuid.UUID
    target: CommentTargetRef
    body: str
    author: str
    status: CommentStatus
    hidden_reason: str | None = None
    created_at: datetime
    version: int = Field(
        description="Also served as the `ETag`; send it as `If-Match` to moderate."
    )


class PublicComment(BaseModel):
    """A published comment: its body and the author's chosen name (or `Resident`)."""

    id: uuid.UUID
    target: CommentTargetRef
    body: str
    author: str
    status: Literal[CommentStatus.PUBLISHED] = CommentStatus.PUBLISHED
    created_at: datetime


class PublicHiddenComment(BaseModel):
    """A comment hidden by moderation, as the public sees it: why, never what it said or who."""

    id: uuid.UUID
    target: CommentTargetRef
    status: Literal[CommentStatus.HIDDEN] = CommentStatus.HIDDEN
    hidden_reason: str
    created_at: datetime


#: One comment as the public sees it: published (its body) or hidden (the reason only).
PublicCommentView = Annotated[PublicComment | PublicHiddenComment, Field(discriminator="status")]


class PublicCommentPage(BaseModel):
    items: list[PublicComment]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    hidden_count: int = Field(description="Comments on this target hidden by moderation.")
