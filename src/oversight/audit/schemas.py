"""The audit log as staff read it, its head as the public records it, and the verifiable
log's checkpoints and proofs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

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


class CheckpointOut(BaseModel):
    tree_size: int
    root_hash: str = Field(description="Standard base64 of the 32-byte RFC 9162 root.")
    made_at: datetime
    note: str = Field(
        description="The checkpoint as signed: C2SP tlog-checkpoint in a C2SP signed-note."
    )


class ConsistencyProof(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    proof: list[str] = Field(description="RFC 9162 section 2.1.4, standard base64 hashes.")


class InclusionProof(BaseModel):
    index: int = Field(description="The leaf's index: the event's `seq` - 1.")
    tree_size: int
    proof: list[str] = Field(description="RFC 9162 section 2.1.3, standard base64 hashes.")
