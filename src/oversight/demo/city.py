"""The demo city: its departments, people, places and topics, and the plan of a year."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts import directory
from oversight.accounts import service as users
from oversight.accounts.directory_schemas import DepartmentCreate
from oversight.accounts.schemas import UserCreate
from oversight.concerns.enums import Kind
from oversight.core.roles import Actor, Role

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


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    action: str = field(compare=False)
    index: int = field(compare=False)


@dataclass
class City:
    departments: dict[str, uuid.UUID]
    commissioners: list[Actor]
    officers: dict[uuid.UUID, Actor]
    residents: list[Actor]
    #: Monthly meetings by number: when they sit, and their id once created.
    meetings: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Recommendations of adopted resolutions: (id, the department's officer).
    recommendations: list[tuple[uuid.UUID, Actor]] = field(default_factory=list)
    #: The roster officers residents name, (badge, name), and how often each is named.
    named: list[tuple[str, str]] = field(default_factory=list)
    named_weights: list[int] = field(default_factory=list)


async def people(session: AsyncSession) -> City:
    city = City({}, [], {}, [])
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


def plan(rng: random.Random, count: int, now: datetime, city: City) -> list[Step]:
    """When each concern arrives, and the monthly meetings' life (created three weeks ahead,
    held, minutes approved a week later); two meetings are still ahead."""
    start = now - timedelta(days=365)
    steps = []
    for index in range(count):
        arrived = start + timedelta(seconds=rng.uniform(0, 365 * 86400 - 3600))
        steps.append(Step(arrived, index, "submit", index))
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
                steps.append(Step(at, order, action, number))
    return steps
