"""What every table shares: ids that exist from construction, check constraints from enums."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Mapped, mapped_column


def one_of(column: str, values: Iterable[str]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class HasId:
    """A UUID primary key that exists from the moment the object is built.

    A column ``default`` only applies at the flush, so a service that stages an audit event
    naming a new row before anything flushed would record no id (it did: "None" in the log,
    which is append-only). Here the constructor assigns the id, unless one is given, so every
    new row's ``id`` is real before it is even added to the session. (The column default still
    covers Core inserts that bypass the constructor.)
    """

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-1)

    def __init__(self, **values: Any) -> None:
        values.setdefault("id", uuid.uuid4())
        super().__init__(**values)
