"""Demo data for `make run`: a small city's departments and people, through the services."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.domain.roles import Role
from oversight.models import User
from oversight.schemas import DepartmentCreate, UserCreate
from oversight.services import directory, users

#: Every demo account signs in with this password. Demo databases only.
DEMO_PASSWORD = "oversight-demo-password"  # noqa: S105

DEPARTMENTS = [
    ("PATROL-N", "North Patrol Division"),
    ("PATROL-S", "South Patrol Division"),
    ("TRAFFIC", "Traffic Enforcement Unit"),
    ("INVEST", "Criminal Investigations Bureau"),
]

PEOPLE: list[tuple[str, str, Role, str | None]] = [
    ("admin@demo.oversight.example.org", "Commission Clerk", Role.ADMIN, None),
    ("chair@demo.oversight.example.org", "Rosa Delgado", Role.COMMISSIONER, None),
    ("vicechair@demo.oversight.example.org", "Marcus Webb", Role.COMMISSIONER, None),
    ("commissioner3@demo.oversight.example.org", "Priya Raman", Role.COMMISSIONER, None),
    ("commissioner4@demo.oversight.example.org", "Tom Okafor", Role.COMMISSIONER, None),
    ("commissioner5@demo.oversight.example.org", "Helen Brandt", Role.COMMISSIONER, None),
    ("liaison.north@demo.oversight.example.org", "Sgt. Dana Kim", Role.OFFICER, "PATROL-N"),
    ("liaison.south@demo.oversight.example.org", "Lt. Sam Ortiz", Role.OFFICER, "PATROL-S"),
    ("liaison.traffic@demo.oversight.example.org", "Sgt. Lee Grant", Role.OFFICER, "TRAFFIC"),
    ("resident@demo.oversight.example.org", "Jordan Avery", Role.RESIDENT, None),
]


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(User))


async def seed(session: AsyncSession, advance: Callable[[int], None] = lambda _: None) -> int:
    """Create the demo city; returns how many records were made."""
    departments = {}
    for code, name in DEPARTMENTS:
        department = await directory.create_department(
            session, None, DepartmentCreate(code=code, name=name)
        )
        departments[code] = department.id
        advance(1)
    for email, name, role, department_code in PEOPLE:
        await users.create(
            session,
            None,
            UserCreate(
                email=email,
                display_name=name,
                role=role,
                password=DEMO_PASSWORD,
                department_id=departments[department_code] if department_code else None,
            ),
        )
        advance(1)
    return len(DEPARTMENTS) + len(PEOPLE)


def total() -> int:
    return len(DEPARTMENTS) + len(PEOPLE)
