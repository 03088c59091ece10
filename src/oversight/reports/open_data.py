"""The open-data export: one de-identified row per concern received in the period, streamed.

No names, e-mails, free text, addresses, coordinates, tracking codes or internal ids: the
`record_id` is a keyed hash of the concern's id and of the period (the same export gives the same
ids; two exports of different periods cannot be joined record by record, which would pin a
record to a narrower window than either export shows), and a neighborhood with fewer than the
threshold's records in the period reads `suppressed`. Every cell goes through
``formats.line``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.models import Concern
from oversight.core.db import dialect_name
from oversight.core.periods import Period
from oversight.reports.formats import line
from oversight.reports.summary import UNKNOWN, WITHHELD, days_between, month_of

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
    yield line(COLUMNS)
    scope = str(period).encode()
    result = await session.stream(stmt)
    async for concern_id, *values, to_response, to_resolution in result:
        record = hmac.new(key, scope + concern_id.bytes, hashlib.sha256).hexdigest()[:16]
        days = [None if d is None else round(d, 1) for d in (to_response, to_resolution)]
        yield line([record, *values, *days])
