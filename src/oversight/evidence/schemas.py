"""Evidence's shapes: an attachment as the caller may see it, a change, a withdrawal, and a
public document."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from oversight.core.schemas import In, Out, Reason
from oversight.evidence.enums import AttachmentStatus, TargetType, Visibility

Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class Target(Out):
    type: TargetType
    id: uuid.UUID


class Uploader(Out):
    """Who uploaded it, as the caller may see it: the account only to commissioners and to the
    uploader; ``role`` is null for a resident who used a tracking code."""

    role: str | None
    id: uuid.UUID | None = None


class AttachmentOut(Out):
    id: uuid.UUID
    target: Target
    filename: str = Field(description="Sanitised: no path, no control characters.")
    media_type: str = Field(description="Decided by the bytes.")
    size: int
    sha256: str = Field(description="Hex SHA-256 of the bytes, computed while they streamed.")
    description: str | None
    visibility: Visibility
    derived_from: uuid.UUID | None = Field(
        description="For an image's copy without metadata: the original's id."
    )
    uploaded_by: Uploader
    uploaded_at: datetime
    status: AttachmentStatus
    withdrawn_reason: str | None
    version: int
    content_url: str = Field(description="Where the bytes are (`GET`, with Range).")


class AttachmentUpdate(In):
    """A commissioner's change; a concern's evidence is never public."""

    visibility: Visibility | None = None
    description: Description | None = None


class Withdrawal(In):
    reason: Reason = Field(description="Shown with the withdrawn attachment.")


class PublicAttachment(Out):
    """A public document (always a copy without metadata for images)."""

    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    description: str | None
    uploaded_at: datetime
    url: str = Field(description="The bytes: immutable, cacheable for a year.")
