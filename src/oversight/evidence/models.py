"""Attachments: what was uploaded, to what, by whom, and the hash its bytes are kept under."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of
from oversight.evidence.enums import AttachmentStatus, TargetType, Visibility


class Attachment(HasId, Base):
    """A file attached to a concern (evidence) or to a meeting, agenda item or resolution (a
    document). An image's or a PDF's original has ``needs_copy``: anyone but commissioners and
    its uploader reads its copy without metadata, the row whose ``derived_from`` names it (none
    when no copy could be made: then nobody else reads it)."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(one_of("target_type", TargetType), name="target_type"),
        CheckConstraint(one_of("visibility", Visibility), name="visibility"),
        CheckConstraint(one_of("status", AttachmentStatus), name="status"),
        CheckConstraint("size > 0", name="size"),
        Index("ix_attachments_target", "target_type", "target_id", "uploaded_at"),
        Index("ix_attachments_sha256", "sha256"),
    )

    target_type: Mapped[str] = mapped_column(String(20))
    #: The concern's, meeting's, agenda item's or resolution's id (checked by the service).
    target_id: Mapped[uuid.UUID]
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(12))
    derived_from: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="RESTRICT")
    )
    needs_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    #: The uploader's role (``None``: a resident by tracking code) and department (officers).
    uploader_role: Mapped[str | None] = mapped_column(String(20))
    uploader_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=AttachmentStatus.KEPT)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
