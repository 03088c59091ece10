"""The audit log as staff read it, and its head as the public records it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import (
    BaseModel,
    Field,
    field_serializer,
)

from oversight.core.rfc3339 import format_at
from oversight.core.schemas import Out


class AuditEventOut(Out):
    """An event exactly as hashed: ``hash`` can be recomputed from these values."""

    seq: int
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    entity_type: str
    entity_id: uuid.UUID | None
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str

    @field_serializer("at")
    def _at(self, at: datetime) -> str:
        return format_at(at)


class PublicAuditHead(BaseModel):
    seq: int = Field(description="0 while the log is empty.")
    hash: str
    at: datetime | None
