"""Demo data for `make run`: a small city's departments, people and a year of concerns.

Everything goes through the services, with the clock set back, so the demo history is what the
app itself would have recorded: audited, hash-chained, and consistent with the reports.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.config import Settings
from oversight.db import Database, simulated_clock, utcnow
from oversight.domain.concerns import ActionTaken, Finding, Kind
from oversight.domain.roles import Actor, Role
from oversight.domain.votes import Choice
from oversight.models import User
from oversight.schemas import (
    AgendaItemCreate,
    AllegationCreate,
    AttendanceIn,
    ConcernCreate,
    ConcernTransition,
    DepartmentCreate,
    FindingIn,
    LocationIn,
    MeetingCreate,
    MeetingTransition,
    MinutesIn,
    RecommendationIn,
    RecommendationResponseIn,
    ResolutionCreate,
    ResolutionTransition,
    ResponseCreate,
    UserCreate,
    VoteIn,
)
from oversight.services import concerns, directory, meetings, resolutions, responses, users

#: Every demo account signs in with this password. Demo databases only.
DEMO_PASSWORD = "oversight-demo-password"  # noqa: S105
DOMAIN = "demo.oversight.example.org"

DEPARTMENTS = [
    ("PATROL-N", "North Patrol Division"),
    ("PATROL-S", "South Patrol Division"),
    ("TRAFFIC", "Traffic Enforcement Unit"),
    ("INVEST", "Criminal Investigations Bureau"),
]

PEOPLE: list[tuple[str, str, Role, str | None]] = [
    ("admin", "Commission Clerk", Role.ADMIN, None),
    ("chair", "Rosa Delgado", Role.COMMISSIONER, None),
    ("vicechair", "Marcus Webb", Role.COMMISSIONER, None),
    ("commissioner3", "Priya Raman", Role.COMMISSIONER, None),
    ("commissioner4", "Tom Okafor", Role.COMMISSIONER, None),
    ("commissioner5", "Helen Brandt", Role.COMMISSIONER, None),
    ("liaison.north", "Sgt. Dana Kim", Role.OFFICER, "PATROL-N"),
    ("liaison.south", "Lt. Sam Ortiz", Role.OFFICER, "PATROL-S"),
    ("liaison.traffic", "Sgt. Lee Grant", Role.OFFICER, "TRAFFIC"),
    ("liaison.invest", "Det. Ana Ruiz", Role.OFFICER, "INVEST"),
    ("resident", "Jordan Avery", Role.RESIDENT, None),
]
RESIDENT_NAMES = [
    "Alex Chen",
    "Maria Lopez",
    "Sam Patel",
    "Chris Johnson",
    "Taylor Brooks",
    "Jamie Nguyen",
    "Morgan Davis",
    "Casey Kim",
    "Riley Thompson",
    "Drew Martinez",
    "Avery Wilson",
    "Quinn Lee",
]
RESOLUTION_TITLES = [
    "Body-worn cameras recording at every stop",
    "Crisis intervention training for all patrol officers",
    "Public reporting of use-of-force incidents",
    "Language access at the front desk",
    "Limits on pretext traffic stops",
]
RECOMMENDATION_TEXTS = [
    "Amend the written policy within 90 days.",
    "Report quarterly progress to the commission.",
    "Train every patrol officer before the end of the year.",
    "Publish the data monthly on the city website.",
]
STREETS = ["Elm", "Oak", "Main", "Willow", "Clayton", "Pine", "Grant"]
NEIGHBORHOODS = [
    ("Monument Corridor", 37.955, -122.035, 9),
    ("Sun Terrace", 37.968, -122.028, 4),
    ("Downtown", 37.978, -122.031, 8),
    ("Ygnacio Valley", 37.925, -122.005, 5),
    ("North Concord", 38.000, -122.030, 3),
    ("Clayton Valley", 37.940, -121.950, 3),
    ("Dana Estates", 37.950, -122.010, 2),
    ("Four Corners", 37.960, -121.990, 2),
]
# (kind, category, weight, summary templates)
TOPICS: list[tuple[Kind, str, int, list[str]]] = [
    (
        Kind.COMPLAINT,
        "discourtesy",
        14,
        ["Officer was rude during a traffic stop", "Dismissive response when reporting a theft"],
    ),
    (
        Kind.COMPLAINT,
        "use_of_force",
        6,
        ["Excessive force during an arrest", "Handcuffs applied too tightly"],
    ),
    (
        Kind.COMPLAINT,
        "stop_search_arrest",
        8,
        ["Searched without explanation", "Stopped while walking home"],
    ),
    (
        Kind.COMPLAINT,
        "bias",
        5,
        ["Felt singled out because of my accent", "Profiled at the shopping center"],
    ),
    (
        Kind.COMPLAINT,
        "failure_to_act",
        6,
        ["No one came after a break-in report", "Officer refused to take a report"],
    ),
    (
        Kind.COMPLAINT,
        "misconduct",
        3,
        ["Officer used phone while driving", "Off-duty officer intimidated a neighbor"],
    ),
    (
        Kind.COMPLAINT,
        "response_time",
        6,
        ["Waited two hours for a response", "Slow response to a noise complaint"],
    ),
    (
        Kind.COMMENDATION,
        "commendation",
        8,
        ["Officer helped find my lost child", "Kind help after a car accident"],
    ),
    (
        Kind.POLICY_CONCERN,
        "policy_procedure",
        6,
        ["Body cameras should be on at all times", "Towing policy for unhoused residents"],
    ),
    (
        Kind.INQUIRY,
        "other",
        4,
        ["How do I get a copy of a police report?", "Question about the curfew ordinance"],
    ),
]


def total(concern_count: int) -> int:
    return len(DEPARTMENTS) + len(PEOPLE) + len(RESIDENT_NAMES) + concern_count


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(User))


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    action: str = field(compare=False)
    index: int = field(compare=False)


@dataclass
class _City:
    departments: dict[str, uuid.UUID]
    commissioners: list[Actor]
    officers: dict[uuid.UUID, Actor]
    residents: list[Actor]
    #: Monthly meetings by number: when they sit, and their id once created.
    meetings: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Recommendations of adopted resolutions: (id, the department's officer).
    recommendations: list[tuple[uuid.UUID, Actor]] = field(default_factory=list)


async def _people(session: AsyncSession) -> _City:
    city = _City({}, [], {}, [])
    for code, name in DEPARTMENTS:
        department = await directory.create_department(
            session, None, DepartmentCreate(code=code, name=name)
        )
        city.departments[code] = department.id
    people = [*PEOPLE]
    people += [
        (f"resident{i + 1}", name, Role.RESIDENT, None) for i, name in enumerate(RESIDENT_NAMES)
    ]
    for local, name, role, department_code in people:
        department_id = city.departments[department_code] if department_code else None
        user = await users.create(
            session,
            None,
            UserCreate(
                email=f"{local}@{DOMAIN}",
                display_name=name,
                role=role,
                password=DEMO_PASSWORD,
                department_id=department_id,
            ),
        )
        actor = Actor(user.id, role, department_id)
        if role is Role.COMMISSIONER:
            city.commissioners.append(actor)
        elif role is Role.OFFICER and department_id is not None:
            city.officers[department_id] = actor
        elif role is Role.RESIDENT:
            city.residents.append(actor)
    return city


def _plan(rng: random.Random, count: int, now: datetime, city: _City) -> list[_Step]:
    """When each concern arrives, and the monthly meetings' life (created three weeks ahead,
    held, minutes approved a week later); two meetings are still ahead."""
    start = now - timedelta(days=365)
    steps = []
    for index in range(count):
        arrived = start + timedelta(seconds=rng.uniform(0, 365 * 86400 - 3600))
        steps.append(_Step(arrived, index, "submit", index))
    order = count
    for number, days in enumerate([*range(-350, 0, 30), 12, 40]):
        sits = (now + timedelta(days=days)).replace(hour=18, minute=0, second=0, microsecond=0)
        city.meetings[number] = {"at": sits, "id": None, "open": False}
        for action, at in (
            ("meeting_create", min(sits - timedelta(days=21), now - timedelta(days=1))),
            ("meeting_open", sits),
            ("meeting_close", sits + timedelta(hours=2)),
            ("meeting_minutes", sits + timedelta(days=7)),
        ):
            if at < now:
                order += 1
                steps.append(_Step(at, order, action, number))
    return steps


async def seed(
    database: Database,
    settings: Settings,
    concern_count: int = 400,
    advance: Callable[[int], None] = lambda _: None,
    seed_value: int = 2026,
) -> int:
    """Create the demo city and a year of its concerns; returns how many records were made."""
    rng = random.Random(seed_value)  # noqa: S311  (reproducible demo data, not secrets)
    real_now = utcnow()
    async with database.unit_of_work() as session:
        city = await _people(session)
    advance(len(DEPARTMENTS) + len(PEOPLE) + len(RESIDENT_NAMES))

    queue = _plan(rng, concern_count, real_now, city)
    heapq.heapify(queue)
    ids: dict[int, uuid.UUID] = {}
    facts: dict[int, dict[str, Any]] = {}
    order = concern_count
    clock_at = real_now

    def later(step: _Step, action: str, days: float, index: int | None = None) -> None:
        nonlocal order
        at = step.at + timedelta(days=days, seconds=rng.uniform(60, 7200))
        if at < real_now:
            order += 1
            heapq.heappush(queue, _Step(at, order, action, step.index if index is None else index))

    # One transaction per step, in time order, so every audit event carries its step's time.
    with simulated_clock(lambda: clock_at):
        while queue:
            step = heapq.heappop(queue)
            clock_at = step.at
            async with database.unit_of_work() as session:
                await _perform(session, settings, rng, city, step, ids, facts, later)
            if step.action == "submit":
                advance(1)
    return total(concern_count)


async def _perform(
    session: AsyncSession,
    settings: Settings,
    rng: random.Random,
    city: _City,
    step: _Step,
    ids: dict[int, uuid.UUID],
    facts: dict[int, dict[str, Any]],
    later: Callable[[_Step, str, float], None],
) -> None:
    commissioner = rng.choice(city.commissioners)
    if step.action.startswith("meeting_"):
        await _meeting_step(session, rng, city, step, commissioner, later)
        return
    if step.action == "recommendation_answer":
        recommendation_id, officer = city.recommendations[step.index]
        status = rng.choice(
            ["accepted", "accepted", "partially_accepted", "rejected", "implemented"]
        )
        await resolutions.respond(
            session,
            officer,
            recommendation_id,
            RecommendationResponseIn(status=status, body="The department's answer (demo)."),
        )
        if status in {"accepted", "partially_accepted"} and rng.random() < 0.5:
            later(step, "recommendation_done", rng.uniform(20, 90))
        return
    if step.action == "recommendation_done":
        recommendation_id, officer = city.recommendations[step.index]
        await resolutions.respond(
            session,
            officer,
            recommendation_id,
            RecommendationResponseIn(status="implemented", body="Implemented (demo)."),
        )
        return
    if step.action == "submit":
        kind, category, _, summaries = rng.choices(TOPICS, weights=[t[2] for t in TOPICS])[0]
        place, lat, lon, _ = rng.choices(NEIGHBORHOODS, weights=[n[3] for n in NEIGHBORHOODS])[0]
        resident = rng.choice(city.residents) if rng.random() < 0.75 else None
        allegations = []
        if kind is Kind.COMPLAINT:
            allegations = [
                AllegationCreate(category=category, officer_badge=str(rng.randint(1000, 9999)))
                for _ in range(rng.choice([1, 1, 1, 2]))
            ]
        data = ConcernCreate(
            kind=kind,
            category=category,
            summary=rng.choice(summaries),
            description="Demo data. " + rng.choice(summaries) + " — described by the resident.",
            occurred_at=step.at - timedelta(days=rng.uniform(0, 10)),
            location=LocationIn(
                address=f"{rng.randint(100, 3999)} {rng.choice(STREETS)} St",
                neighborhood=place if rng.random() > 0.08 else None,
                latitude=round(lat + rng.uniform(-0.01, 0.01), 5),
                longitude=round(lon + rng.uniform(-0.01, 0.01), 5),
            ),
            allegations=allegations,
            contact_email=None if resident else f"anon{step.index}@example.org",
        )
        created = await concerns.submit(session, settings, resident, data)
        ids[step.index] = created["id"]
        facts[step.index] = {
            "kind": kind,
            "owner": resident,
            "allegations": [a["id"] for a in created["allegations"]],
        }
        roll = rng.random()
        if roll < 0.05:
            later(step, "dismiss", rng.uniform(1, 6))
        elif roll < 0.08 and resident is not None:
            later(step, "withdraw", rng.uniform(1, 20))
        else:
            later(step, "triage", rng.uniform(0.5, 10))
        return

    concern_id = ids[step.index]
    fact = facts[step.index]

    async def go(to: str, **extra: Any) -> None:
        current = await concerns.read(session, commissioner, concern_id)
        await concerns.transition(
            session,
            settings,
            commissioner,
            concern_id,
            f'"{current["version"]}"',
            ConcernTransition(to=to, **extra),
        )

    if step.action == "dismiss":
        await go(
            "dismissed",
            reason="Outside the commission's jurisdiction.",
            public_note="This matter is outside the commission's remit.",
        )
    elif step.action == "withdraw":
        owner = fact["owner"]
        current = await concerns.read(session, owner, concern_id)
        await concerns.transition(
            session,
            settings,
            owner,
            concern_id,
            f'"{current["version"]}"',
            ConcernTransition(to="withdrawn"),
        )
    elif step.action == "triage":
        await go("triaged", public_note="Your concern has been reviewed and accepted.")
        if fact["kind"] is Kind.COMPLAINT and rng.random() < 0.8:
            later(step, "refer", rng.uniform(1, 7))
        else:
            later(step, "review", rng.uniform(2, 20))
    elif step.action == "refer":
        department_id = rng.choice(list(city.departments.values()))
        fact["department_id"] = department_id
        await go("referred", department_id=department_id)
        if rng.random() < 0.88:
            later(step, "respond", rng.uniform(3, 45))
    elif step.action == "respond":
        officer = city.officers[fact["department_id"]]
        await responses.post_response(
            session,
            officer,
            concern_id,
            ResponseCreate(
                body="The department reviewed the incident with the officers involved.",
                action_taken=rng.choice(list(ActionTaken)),
            ),
        )
        later(step, "review", rng.uniform(1, 14))
    elif step.action == "review":
        await go("under_review")
        upcoming = [
            m
            for m in city.meetings.values()
            if m["id"] is not None and not m["open"] and m["at"] > step.at
        ]
        if upcoming and rng.random() < 0.5:
            meeting = min(upcoming, key=lambda m: m["at"])
            await go("scheduled", meeting_id=meeting["id"])
            later(step, "resolve", (meeting["at"] - step.at).total_seconds() / 86400)
        else:
            later(step, "resolve", rng.uniform(5, 60))
    elif step.action == "resolve":
        if fact["allegations"]:
            findings = [
                FindingIn(
                    allegation_id=a,
                    finding=rng.choice(
                        [
                            Finding.SUSTAINED,
                            Finding.NOT_SUSTAINED,
                            Finding.UNFOUNDED,
                            Finding.EXONERATED,
                            Finding.NOT_SUSTAINED,
                            Finding.MEDIATED,
                        ]
                    ),
                )
                for a in fact["allegations"]
            ]
            await go(
                "resolved", findings=findings, public_note="The commission has reached a finding."
            )
        else:
            disposition = (
                Finding.ACKNOWLEDGED
                if fact["kind"] is not Kind.POLICY_CONCERN
                else rng.choice([Finding.POLICY_FAILURE, Finding.NO_FINDING])
            )
            await go("resolved", disposition=disposition)
        if rng.random() < 0.7:
            later(step, "close", rng.uniform(3, 20))
    elif step.action == "close":
        await go("closed")


async def _meeting_step(
    session: AsyncSession,
    rng: random.Random,
    city: _City,
    step: _Step,
    commissioner: Actor,
    later: Callable[..., None],
) -> None:
    plan = city.meetings[step.index]

    async def move(to: str) -> None:
        current = await meetings.read(session, commissioner, plan["id"])
        await meetings.transition(
            session, commissioner, plan["id"], f'"{current.version}"', MeetingTransition(to=to)
        )

    if step.action == "meeting_create":
        month = plan["at"].strftime("%B %Y")
        created = await meetings.create(
            session,
            commissioner,
            MeetingCreate(
                title=f"Regular meeting, {month}",
                scheduled_at=plan["at"],
                location="City Hall, Council Chamber",
                description="Public comment is taken at the start of every meeting.",
            ),
        )
        plan["id"] = created.id
        await meetings.add_item(
            session,
            commissioner,
            created.id,
            AgendaItemCreate(title="Public comment", kind="public_comment"),
        )
        if rng.random() < 0.7:
            drafted = await resolutions.create(
                session,
                commissioner,
                ResolutionCreate(
                    title=rng.choice(RESOLUTION_TITLES),
                    body="Demo data. The commission resolves as follows, and recommends:",
                    recommendations=[
                        RecommendationIn(
                            text=rng.choice(RECOMMENDATION_TEXTS),
                            department_id=rng.choice(list(city.departments.values())),
                            due_at=plan["at"] + timedelta(days=90),
                        )
                        for _ in range(rng.choice([1, 2]))
                    ],
                ),
            )
            await resolutions.transition(
                session,
                commissioner,
                drafted.id,
                f'"{drafted.version}"',
                ResolutionTransition(to="proposed", meeting_id=created.id),
            )
            plan["resolution"] = drafted.id
    elif step.action == "meeting_open":
        plan["open"] = True
        await move("in_session")
        present = [c for c in city.commissioners if rng.random() < 0.85]
        await meetings.set_attendance(
            session,
            commissioner,
            plan["id"],
            [
                AttendanceIn(commissioner_id=c.user_id, present=c in present)
                for c in city.commissioners
            ],
        )
        if plan.get("resolution"):
            for member in present:
                choice = rng.choices(list(Choice), weights=[75, 12, 8, 5])[0]
                reason = "A family member is involved." if choice is Choice.RECUSED else None
                await resolutions.cast_vote(
                    session, member, plan["resolution"], VoteIn(vote=choice, reason=reason)
                )
            decided = await resolutions.decide_vote(session, commissioner, plan["resolution"])
            for recommendation in decided.recommendations if decided.status == "adopted" else []:
                officer = city.officers[recommendation.department_id]
                city.recommendations.append((recommendation.id, officer))
                later(
                    step,
                    "recommendation_answer",
                    rng.uniform(10, 60),
                    len(city.recommendations) - 1,
                )
    elif step.action == "meeting_close":
        await move("adjourned")
    elif step.action == "meeting_minutes":
        await meetings.write_minutes(
            session,
            commissioner,
            plan["id"],
            MinutesIn(
                body="The chair called the meeting to order. Public comment was heard. "
                "The commission reviewed the concerns on the agenda."
            ),
        )
        await meetings.approve_minutes(session, commissioner, plan["id"])
