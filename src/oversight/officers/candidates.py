"""The roster officers an allegation most likely names, ranked in SQL: the badge the resident
typed (exactly, ignoring case), the name by trigram similarity (``core.similarity``), and the
department the concern was referred to."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core.similarity import MATCHES_AT
from oversight.officers.models import RosterOfficer

#: What each kind of match adds to a candidate's score (a perfect match of all three is 1.0).
BADGE_WEIGHT, NAME_WEIGHT, DEPARTMENT_WEIGHT = 0.5, 0.4, 0.1
#: The most candidates a ranking lists.
MOST = 10


def full_name() -> ColumnElement[str]:
    """``first last``: what a resident types and what name similarity compares."""
    return RosterOfficer.first_name + " " + RosterOfficer.last_name


def name_similarity(typed: str) -> ColumnElement[float]:
    """pg_trgm's ``similarity`` on PostgreSQL; the same function registered on SQLite."""
    return func.similarity(full_name(), typed)


def matches(q: str) -> ColumnElement[bool]:
    """A search's ``q``: a badge exactly, or a name by similarity."""
    return or_(RosterOfficer.badge == q, name_similarity(q) >= MATCHES_AT)


async def ranked(
    session: AsyncSession,
    badge: str | None,
    name: str | None,
    department_id: uuid.UUID | None,
) -> list[dict[str, Any]]:
    """Up to ``MOST`` officers whose badge or name matches, best first, each with its score
    and what it is made of; nothing typed, no candidates."""
    badge_hit: ColumnElement[bool] = (
        func.upper(RosterOfficer.badge) == badge.strip().upper() if badge else false()
    )
    similar: ColumnElement[float] = name_similarity(name) if name else literal(0.0)
    same_department = RosterOfficer.department_id == department_id
    score = (
        case((badge_hit, BADGE_WEIGHT), else_=0.0)
        + similar * NAME_WEIGHT
        + case((same_department, DEPARTMENT_WEIGHT), else_=0.0)
    )
    stmt = (
        select(
            RosterOfficer,
            badge_hit.label("badge_match"),
            similar.label("name_similarity"),
            same_department.label("same_department"),
            score.label("score"),
        )
        .where(or_(badge_hit, similar >= MATCHES_AT))
        .order_by(score.desc(), RosterOfficer.last_name, RosterOfficer.first_name, RosterOfficer.id)
        .limit(MOST)
    )
    if not badge and not name:
        return []
    return [
        {
            "officer": officer.ref(),
            "rank": officer.rank,
            "unit": officer.unit,
            "status": officer.status,
            "score": round(float(row.score), 3),
            "badge_match": bool(row.badge_match),
            "name_similarity": round(float(row.name_similarity), 3),
            "same_department": bool(row.same_department),
        }
        for row in (await session.execute(stmt)).all()
        for officer in (row[0],)
    ]
