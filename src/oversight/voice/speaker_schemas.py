"""Residents signed up to speak at a meeting."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from oversight.core.schemas import In, Out, Text200


class SpeakerCreate(In):
    topic: Text200
    agenda_item_id: uuid.UUID | None = Field(
        default=None, description="The agenda item you will speak to, if any."
    )


class SpeakerOut(Out):
    id: uuid.UUID
    position: int
    topic: str
    agenda_item_id: uuid.UUID | None
    user_id: uuid.UUID
    display_name: str
    created_at: datetime
