"""The demo city's police budget for three fiscal years (near 60% of the general fund, as
the founding document says of the city) and a year of monthly calls for service."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oversight.budget import service as budget
from oversight.budget.rules import BudgetCategory, CallPriority, LineIn, OperationsIn
from oversight.core.periods import Month

#: Each program's adopted amount in the first year, in dollars; later years grow.
PROGRAMS: list[tuple[str, BudgetCategory, int, str | None]] = [
    ("Sworn officers' salaries and benefits", BudgetCategory.PERSONNEL, 96_400_000, None),
    ("Civilian staff", BudgetCategory.PERSONNEL, 14_200_000, None),
    ("Patrol overtime", BudgetCategory.OVERTIME, 7_900_000, "PATROL-N"),
    ("Traffic enforcement overtime", BudgetCategory.OVERTIME, 2_300_000, "TRAFFIC"),
    ("Vehicles and fuel", BudgetCategory.EQUIPMENT, 4_100_000, None),
    ("Stations and the training range", BudgetCategory.FACILITIES, 3_600_000, None),
    ("Dispatch and records contracts", BudgetCategory.CONTRACTS, 2_900_000, None),
    ("Academy and de-escalation training", BudgetCategory.TRAINING, 1_250_000, None),
    ("Body cameras and data systems", BudgetCategory.TECHNOLOGY, 3_350_000, "INVEST"),
    ("Other", BudgetCategory.OTHER, 900_000, None),
]
#: Calls per month in each neighborhood, by priority (1 most urgent), and median minutes.
PRIORITIES = {
    CallPriority.P1: (0.08, Decimal("6.4")),
    CallPriority.P2: (0.27, Decimal("11.8")),
    CallPriority.P3: (0.45, Decimal("24.5")),
    CallPriority.P4: (0.20, Decimal("47.0")),
}


async def seed(
    session: AsyncSession, rng: random.Random, now: datetime, neighborhoods: list[str]
) -> None:
    """Three fiscal years ending with the current one, and twelve months of operations."""
    current = now.year + (1 if now.month >= 7 else 0)  # fiscal years end on June 30
    for offset, year in enumerate(range(current - 2, current + 1)):
        growth = Decimal(1) + Decimal("0.035") * offset
        lines = []
        for program, category, dollars, department in PROGRAMS:
            adopted = int(Decimal(dollars) * growth * 100)
            actual = None if year == current else int(adopted * rng.uniform(0.96, 1.08))
            lines.append(LineIn(program, category, adopted, None, actual, department))
        police = sum(line.adopted for line in lines)
        city_total = int(police / rng.uniform(0.585, 0.615))  # police near 60% of the fund
        meta = budget.YearIn(year, f"FY{year}", date(year - 1, 7, 1), date(year, 6, 30), city_total)
        await budget.import_year(session, None, meta, lines, f"demo-{year}".ljust(64, "0"))
    rows = []
    month = Month.of(now.date())
    for _ in range(12):
        for name in neighborhoods:
            base = rng.randint(250, 900)
            for priority, (share, minutes) in PRIORITIES.items():
                jitter = Decimal(str(round(rng.uniform(-0.15, 0.15), 2)))
                rows.append(
                    OperationsIn(
                        str(month),
                        name,
                        priority,
                        int(base * share),
                        (minutes * (1 + jitter)).quantize(Decimal("0.1")),
                    )
                )
        month = month.plus(-1)
    await budget.import_operations(session, None, rows, "demo-operations".ljust(64, "0"))
