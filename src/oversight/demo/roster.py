"""The demo city's roster: 120 sworn officers in its four departments' units, imported from a
CSV file as an admin would; and, once the year is told, the commission's work on the record:
allegations linked to officers (the top-ranked candidate when its badge matches), discipline
recommended and decided (most concurred, some departed), commendations linked, and the early-
intervention flags that follow."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import allegations, discipline, edits
from oversight.concerns.enums import DISCIPLINE_FINDINGS, DisciplineLevel, Kind
from oversight.concerns.models import Allegation, Concern
from oversight.concerns.schemas import (
    AllegationUpdate,
    ConcernUpdate,
    DecisionIn,
    RecommendationIn,
)
from oversight.demo.city import City
from oversight.intervention.evaluation import evaluate
from oversight.officers import candidates, roster
from oversight.officers.models import RosterOfficer
from oversight.officers.rules import COLUMNS, roster_rows

FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Daniel",
    "Mei",
    "Carlos",
    "Grace",
    "Tomas",
    "Priya",
    "Kevin",
    "Lucia",
    "Andre",
    "Fatima",
    "Sean",
    "Rosa",
    "Victor",
    "Hana",
    "Marcus",
    "Elena",
    "Jamal",
    "Nora",
    "Luis",
    "Ines",
    "Omar",
    "Claire",
    "Diego",
    "Yuki",
    "Brian",
    "Leila",
    "Sam",
]
LAST = [
    "Gonzalez",
    "Smith",
    "Okafor",
    "Nguyen",
    "Patel",
    "Rivera",
    "Chen",
    "Johnson",
    "Kowalski",
    "Haddad",
    "Silva",
    "Brown",
    "Kim",
    "Martinez",
    "Osei",
    "Lopez",
    "Novak",
    "Walker",
    "Ramirez",
    "Singh",
    "Torres",
    "Fischer",
    "Ali",
    "Moreno",
    "Baker",
    "Reyes",
    "Ito",
    "Murphy",
    "Cruz",
    "Adams",
]
UNITS = {
    "PATROL-N": ("North Patrol Days", "North Patrol Nights", "North Patrol Swing"),
    "PATROL-S": ("South Patrol Days", "South Patrol Nights", "South Patrol Swing"),
    "TRAFFIC": ("Motors", "Collision Investigation"),
    "INVEST": ("Property Crimes", "Persons Crimes"),
}
RANKS = (("Officer", 70), ("Corporal", 10), ("Sergeant", 12), ("Lieutenant", 6), ("Captain", 2))
PER_DEPARTMENT = 30
#: How much more often than the others a few officers are named: patterns for the flags.
FREQUENT, WEIGHT = 8, 5


def roster_csv(rng: random.Random, today: date) -> str:
    lines = [",".join(COLUMNS)]
    badge = 1000
    for code, units in UNITS.items():
        for _ in range(PER_DEPARTMENT):
            badge += rng.randint(1, 9)
            rank = rng.choices([r for r, _ in RANKS], weights=[w for _, w in RANKS])[0]
            hired = date(rng.randint(1998, today.year - 2), rng.randint(1, 12), rng.randint(1, 28))
            roll = rng.random()
            status, separated = "active", ""
            if roll < 0.03:
                status = "leave"
            elif roll < 0.05:
                status, separated = "separated", date(today.year - 1, 6, 30).isoformat()
            first, last = rng.choice(FIRST), rng.choice(LAST)
            unit = rng.choice(units)
            lines.append(
                f"{code},{badge},{first},{last},{rank},{unit},{status},{hired},{separated}"
            )
    return "\n".join(lines) + "\n"


async def seed(session: AsyncSession, rng: random.Random, now: datetime, city: City) -> None:
    """Import the roster; ``city.named`` gets who residents name (a few more often)."""
    text = roster_csv(rng, now.date())
    rows = roster_rows(text, now.date())
    await roster.import_roster(session, None, rows, hashlib.sha256(text.encode()).hexdigest())
    named = [(row.badge, f"{row.first_name} {row.last_name}") for row in rows]
    city.named = named
    city.named_weights = [WEIGHT if i < FREQUENT else 1 for i in range(len(named))]
    rng.shuffle(city.named_weights)


def typed(rng: random.Random, city: City) -> tuple[str | None, str | None]:
    """The badge and name a resident types: often the badge, sometimes a misspelt name."""
    badge, name = rng.choices(city.named, weights=city.named_weights)[0]
    if rng.random() < 0.3:
        cut = rng.randrange(1, len(name))
        name = name[:cut] + name[cut + 1 :]  # a letter dropped
    return (badge if rng.random() < 0.75 else None), (name if rng.random() < 0.6 else None)


async def record(session: AsyncSession, rng: random.Random, city: City) -> None:
    """The commission's work on the record, at the end of the demo year."""
    commissioner = city.commissioners[0]
    found = await session.execute(
        select(Allegation, Concern.department_id)
        .join(Concern, Concern.id == Allegation.concern_id)
        .order_by(Concern.created_at, Allegation.position)
    )
    levels = list(DisciplineLevel)
    for allegation, department_id in found.all():
        ranked = await candidates.ranked(
            session, allegation.officer_badge, allegation.officer_name, department_id
        )
        if not ranked or not (ranked[0]["badge_match"] or ranked[0]["score"] >= 0.35):
            continue
        await allegations.change_allegation(
            session,
            commissioner,
            allegation.concern_id,
            allegation.id,
            AllegationUpdate(officer_id=ranked[0]["officer"]["id"]),
        )
        if allegation.finding not in DISCIPLINE_FINDINGS or department_id is None:
            continue
        asked = rng.choice(levels[1:5])
        days = rng.choice([1, 3, 5]) if asked == DisciplineLevel.SUSPENSION else None
        await discipline.recommend(
            session,
            commissioner,
            allegation.concern_id,
            allegation.id,
            RecommendationIn(level=asked, days=days),
        )
        if rng.random() < 0.2 or department_id not in city.officers:
            continue  # the department has not decided yet
        shift = rng.choices([0, -1, 1], weights=[60, 30, 10])[0]
        given = levels[max(0, min(len(levels) - 1, levels.index(asked) + shift))]
        await discipline.decide(
            session,
            city.officers[department_id],
            allegation.concern_id,
            allegation.id,
            DecisionIn(
                level=given,
                days=(days or 2) if given == DisciplineLevel.SUSPENSION else None,
                reason="Demo data: the chief's letter to the commission.",
            ),
        )
    officers = list(await session.scalars(select(RosterOfficer.id).order_by(RosterOfficer.badge)))
    commendations = await session.scalars(select(Concern).where(Concern.kind == Kind.COMMENDATION))
    for concern in commendations.all():
        await edits.update(
            session,
            commissioner,
            concern.id,
            f'"{concern.version}"',
            ConcernUpdate(commended_officer_ids=[rng.choice(officers)]),
        )
    await evaluate(session)
