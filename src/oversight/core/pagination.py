"""Keyset pagination: a page costs one index range scan however deep it is.

The cursor is the sort key of the last row served, as URL-safe base64 JSON. It is opaque to
clients; a tampered or stale cursor is a 422, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from oversight.core.errors import Unprocessable

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class SortKey:
    column: InstrumentedAttribute[Any]
    descending: bool = False


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _decode(key: SortKey, raw: Any) -> Any:
    python_type = key.column.type.python_type
    if python_type is datetime:
        return datetime.fromisoformat(raw)
    if python_type is uuid.UUID:
        return uuid.UUID(raw)
    if python_type is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError("not an integer")
        return raw
    if not isinstance(raw, str):
        raise TypeError("not a string")
    return raw


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError("wrong length")
        return [_decode(key, value) for key, value in zip(keys, raw, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise Unprocessable("The cursor is not valid.", loc=("query", "cursor")) from exc


def _after(keys: Sequence[SortKey], raw: Sequence[Any]) -> ColumnElement[bool]:
    # Typed binds, so each value is stored-format converted like its column (UTC, UUID...).
    values = [literal(value, key.column.type) for key, value in zip(keys, raw, strict=True)]
    directions = {key.descending for key in keys}
    if len(directions) == 1:
        left = tuple_(*(key.column for key in keys))
        right = tuple_(*values)
        return left < right if keys[0].descending else left > right
    # Mixed directions: (a > x) OR (a = x AND b < y) OR ...
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        step = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


#: A page of rows and the cursor of the next one (None at the end), as ``keyset_page`` gives it.
KeysetPage = tuple[list[Any], str | None]


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    keys: Sequence[SortKey],
    *,
    limit: int,
    cursor: str | None,
    columns: bool = False,
) -> KeysetPage:
    """Run ``stmt`` ordered by ``keys``, one page after ``cursor``: ORM objects when it selects
    one entity, mappings of column values when ``columns`` (it selects the keys' columns)."""
    if cursor:
        stmt = stmt.where(_after(keys, decode_cursor(cursor, keys)))
    order = [key.column.desc() if key.descending else key.column.asc() for key in keys]
    stmt = stmt.order_by(*order).limit(limit + 1)
    if columns:
        # Plain column values need no ORM: the session's connection runs it, in its transaction.
        rows = list((await (await session.connection()).execute(stmt)).mappings().all())
    else:
        rows = list((await session.scalars(stmt)).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    values = [last[key.column.key] if columns else getattr(last, key.column.key) for key in keys]
    return rows, encode_cursor(values)
