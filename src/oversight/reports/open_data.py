"""The open-data export: one de-identified row per concern received in the period, streamed.

No names, e-mails, free text, addresses, coordinates, tracking codes or internal ids: the
`record_id` is a keyed hash of the concern's id (stable for a deployment, useless to link back
without the key), and a neighborhood with fewer than the threshold's records in the period
reads `suppressed`.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import AsyncIterator

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.db import dialect_name
from oversight.models import Concern
from oversight.reports.summary import UNKNOWN, WITHHELD, Period, days_between, month_of

COLUMNS = (
    "record_id",
    "kind",
    "category",
    "neighborhood",
    "month_received",
    "status",
    "disposition",
    "days_to_response",
    "days_to_resolution",
)


def _line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


async def lines(
    session: AsyncSession, period: Period, threshold: int, key: bytes
) -> AsyncIterator[str]:
    """CSV text, header first, one line per concern; memory stays flat however many rows."""
    postgres = dialect_name(session) == "postgresql"
    neighborhood = func.coalesce(Concern.neighborhood, UNKNOWN)
    in_place = func.count().over(partition_by=neighborhood)
    month = month_of(postgres, Concern.created_at)
    stmt = (
        select(
            Concern.id,
            Concern.kind,
            Concern.category,
            case((in_place < threshold, WITHHELD), else_=neighborhood),
            month,
            Concern.status,
            Concern.disposition,
            days_between(postgres, Concern.referred_at, Concern.first_response_at),
            days_between(postgres, Concern.created_at, Concern.resolved_at),
        )
        .where(and_(Concern.created_at >= period.lower, Concern.created_at < period.upper))
        .order_by(Concern.created_at, Concern.id)
        .execution_options(yield_per=2000)
    )
    yield _line(list(COLUMNS))
    result = await session.stream(stmt)
    async for concern_id, *values, to_response, to_resolution in result:
        record = hmac.new(key, concern_id.bytes, hashlib.sha256).hexdigest()[:16]
        days = [("" if d is None else f"{d:.1f}") for d in (to_response, to_resolution)]
        yield _line([record, *[v or "" for v in values], *days])
