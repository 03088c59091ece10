"""The open-data exports: one de-identified row per concern received in the period, and one per
allegation of those concerns, streamed.

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
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Department
from oversight.concerns.enums import DISCIPLINE_FINDINGS, FINDINGS_FINAL, Finding
from oversight.concerns.models import Allegation, Concern
from oversight.core.db import dialect_name
from oversight.core.periods import Period
from oversight.officers.models import RosterOfficer
from oversight.reports.formats import line
from oversight.reports.suppression import UNKNOWN, WITHHELD

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


def days_between(postgres: bool, start: Any, end: Any) -> ColumnElement[float]:
    """Days from ``start`` to ``end`` as a float, in SQL (the summary's stage times are these
    numbers, stored by migration 20261208_01's triggers in the same words)."""
    if postgres:
        return cast(func.extract("epoch", end - start) / 86400.0, Float)
    return cast(func.julianday(end) - func.julianday(start), Float)


def month_of(postgres: bool, column: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp, in SQL (the format a constant, so that GROUP BY matches it)."""
    if postgres:
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def record_id(key: bytes, period: Period, kind: bytes, row_id: uuid.UUID) -> str:
    """A keyed hash of a row's id and the period: the same export gives the same ids, two
    exports of different periods cannot be joined record by record."""
    return hmac.new(key, str(period).encode() + kind + row_id.bytes, hashlib.sha256).hexdigest()[
        :16
    ]


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
    result = await session.stream(stmt)
    async for concern_id, *values, to_response, to_resolution in result:
        record = record_id(key, period, b"", concern_id)
        days = [None if d is None else round(d, 1) for d in (to_response, to_resolution)]
        yield line([record, *values, *days])


ALLEGATION_COLUMNS = (
    "record_id",
    "concern_record_id",
    "month_received",
    "department",
    "category",
    "finding",
    "recommended",
    "recommended_days",
    "imposed",
    "imposed_days",
    "officer_badge",
    "officer_name",
)


async def allegation_lines(
    session: AsyncSession, period: Period, key: bytes, officer_records: str
) -> AsyncIterator[str]:
    """One line per allegation of the concerns received in the period; ``concern_record_id``
    is the concern's ``record_id`` in the concerns export of the same period. The roster
    officer's badge and name only on sustained rows, and only when officer records are public
    (``officer_records == "sustained"``)."""
    postgres = dialect_name(session) == "postgresql"
    stmt = (
        select(
            Allegation.id,
            Concern.id,
            month_of(postgres, Concern.created_at),
            Department.code,
            Allegation.category,
            Allegation.finding,
            Allegation.recommended_level,
            Allegation.recommended_days,
            Allegation.imposed_level,
            Allegation.imposed_days,
            Concern.status.in_(FINDINGS_FINAL).label("final"),
            RosterOfficer.badge,
            RosterOfficer.first_name,
            RosterOfficer.last_name,
        )
        .join(Concern, Concern.id == Allegation.concern_id)
        .outerjoin(Department, Department.id == Concern.department_id)
        .outerjoin(RosterOfficer, RosterOfficer.id == Allegation.officer_id)
        .where(and_(Concern.created_at >= period.lower, Concern.created_at < period.upper))
        .order_by(Concern.created_at, Concern.id, Allegation.position)
        .execution_options(yield_per=2000)
    )
    yield line(ALLEGATION_COLUMNS)
    result = await session.stream(stmt)
    async for allegation_id, concern_id, *values, final, badge, first, last in result:
        month, department, category, finding, *discipline = values
        if finding not in DISCIPLINE_FINDINGS:
            discipline = [None] * len(discipline)  # a finding changed after discipline: not shown
        sustained = finding == Finding.SUSTAINED and final
        named = officer_records == "sustained" and sustained and badge
        yield line(
            [
                record_id(key, period, b"allegation", allegation_id),
                record_id(key, period, b"", concern_id),
                month,
                department,
                category,
                finding,
                *discipline,
                *([badge, f"{first} {last}"] if named else [None, None]),
            ]
        )
