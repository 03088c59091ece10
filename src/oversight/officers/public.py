"""Officer-level public records, only where the law makes them public
(``PUBLIC_OFFICER_RECORDS=sustained``): each officer with a sustained allegation on a resolved
or closed concern (a final finding), and those allegations' category, month, finding and
discipline, never anything else. With ``none`` (the
default) there is no such record: every officer is a 404."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Department
from oversight.concerns.enums import FINDINGS_FINAL, Finding
from oversight.concerns.models import Allegation, Concern
from oversight.core.config import Settings
from oversight.core.errors import NotFound
from oversight.core.pagination import KeysetPage, SortKey, keyset_page
from oversight.officers.candidates import matches
from oversight.officers.models import RosterOfficer

MISSING = "No such public officer record."
_SUSTAINED = (
    (Allegation.officer_id == RosterOfficer.id)
    & (Allegation.finding == Finding.SUSTAINED)
    & (Allegation.concern_id == Concern.id)
    & Concern.status.in_(FINDINGS_FINAL)
)
_BY_NAME = (
    SortKey(RosterOfficer.last_name),
    SortKey(RosterOfficer.first_name),
    SortKey(RosterOfficer.id),
)
_COLUMNS = (
    RosterOfficer.id,
    RosterOfficer.badge,
    RosterOfficer.first_name,
    RosterOfficer.last_name,
    Department.code.label("department_code"),
    Department.name.label("department_name"),
)


def _published(settings: Settings) -> None:
    if settings.public_officer_records != "sustained":
        raise NotFound(MISSING)


def _officers() -> Any:
    return (
        select(*_COLUMNS)
        .join(Department, Department.id == RosterOfficer.department_id)
        .where(exists().where(_SUSTAINED))
    )


def _card(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "badge": row.badge,
        "display_name": f"{row.first_name} {row.last_name}",
        "department": {"code": row.department_code, "name": row.department_name},
    }


async def list_officers(
    session: AsyncSession, settings: Settings, q: str | None, *, limit: int, cursor: str | None
) -> KeysetPage:
    """Officers with at least one sustained allegation, by name."""
    _published(settings)
    stmt = _officers()
    if q:
        stmt = stmt.where(matches(q))
    rows, next_cursor = await keyset_page(
        session, stmt, _BY_NAME, limit=limit, cursor=cursor, columns=True
    )
    return [_card(row) for row in rows], next_cursor


async def read(session: AsyncSession, settings: Settings, officer_id: uuid.UUID) -> dict[str, Any]:
    _published(settings)
    officer = (await session.execute(_officers().where(RosterOfficer.id == officer_id))).first()
    if officer is None:
        raise NotFound(MISSING)
    sustained = await session.execute(
        select(
            Allegation.category,
            Concern.created_at,
            Allegation.finding,
            Allegation.recommended_level,
            Allegation.recommended_days,
            Allegation.imposed_level,
            Allegation.imposed_days,
        )
        .join(Concern, Concern.id == Allegation.concern_id)
        .where(
            Allegation.officer_id == officer_id,
            Allegation.finding == Finding.SUSTAINED,
            Concern.status.in_(FINDINGS_FINAL),
        )
        .order_by(Concern.created_at.desc(), Allegation.id)
    )
    return _card(officer) | {
        "sustained": [
            {
                "category": row.category,
                "month": row.created_at.strftime("%Y-%m"),
                "finding": row.finding,
                "recommended": row.recommended_level,
                "recommended_days": row.recommended_days,
                "imposed": row.imposed_level,
                "imposed_days": row.imposed_days,
            }
            for row in sustained
        ]
    }
