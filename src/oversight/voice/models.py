"""Community voice: comments, speakers, proposals and supports."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of
from oversight.voice.enums import CommentStatus, CommentTarget, ProposalStatus


class Comment(HasId, Base):
    """A resident's comment on something the commission is about to decide. A hidden comment
    is kept (and its body never served publicly again); nothing is deleted."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(one_of("target_type", CommentTarget), name="target_type"),
        CheckConstraint(one_of("status", CommentStatus), name="status"),
        # A target's published comments, oldest first: one keyset scan however many there are.
        Index(
            "ix_comments_target_type_target_id_status_created_at_id",
            "target_type",
            "target_id",
            "status",
            "created_at",
            "id",
        ),
        Index("ix_comments_status_created_at_id", "status", "created_at", "id"),
        Index("ix_comments_author_id_created_at_id", "author_id", "created_at", "id"),
    )

    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[uuid.UUID]
    #: None for an anonymous comment.
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Speaker(HasId, Base):
    """A resident signed up to speak at a meeting, in the order they signed up."""

    __tablename__ = "speakers"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        UniqueConstraint("meeting_id", "position"),
        Index("ix_speakers_agenda_item_id", "agenda_item_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="RESTRICT"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: The agenda item the resident will speak to, if they named one.
    agenda_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proposal(HasId, Base):
    """A resident's policy idea that other residents support."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(one_of("status", ProposalStatus), name="status"),
        CheckConstraint("supports >= 0", name="supports"),
        # Public lists: newest first or most supported first, optionally by status.
        Index("ix_proposals_created_at_id", "created_at", "id"),
        Index("ix_proposals_supports_id", "supports", "id"),
        Index("ix_proposals_status_created_at_id", "status", "created_at", "id"),
        Index("ix_proposals_status_supports_id", "status", "supports", "id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.OPEN)
    author_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    supports: Mapped[int] = mapped_column(Integer, default=0)
    #: The threshold in force when it was proposed.
    support_threshold: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    resolution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("resolutions.id", ondelete="RESTRICT")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalSupport(Base):
    """One resident's support of one proposal: at most one each, by the primary key."""

    __tablename__ = "proposal_supports"
    __table_args__ = (Index("ix_proposal_supports_created_at", "created_at"),)

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="RESTRICT"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
