"""Open311: the keys that city 311 systems file concerns with."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId


class Open311Key(HasId, Base):
    """An API key issued by an admin to one 311 system. Only its SHA-256 is kept: the key is
    256 random bits, shown once, so a digest is as good as a password hash and can be looked
    up by an index."""

    __tablename__ = "open311_keys"

    name: Mapped[str] = mapped_column(String(200))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when an admin revokes it: the key is refused from then on, the row kept.
    revoked_at: Mapped[datetime | None]
