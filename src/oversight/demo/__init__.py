"""Demo data for `make run`: a small city's departments, people, its police roster, a year of
concerns and meetings, its residents' comments, sign-ups to speak, proposals and supports, and
the commission's work on the record (accused officers, discipline, early-intervention flags).

Everything goes through the services, with the clock set back, so the demo history is what the
app itself would have recorded: audited, hash-chained, and consistent with the reports.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import User
from oversight.core.clock import simulated_clock, utcnow
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.demo import budget as demo_budget
from oversight.demo import evidence as demo_evidence
from oversight.demo import roster as demo_roster
from oversight.demo import voice
from oversight.demo.city import (
    DEMO_PASSWORD,
    DEPARTMENTS,
    NEIGHBORHOODS,
    PEOPLE,
    RESIDENT_NAMES,
    Step,
    people,
    plan,
)
from oversight.demo.steps import perform
from oversight.evidence.store import open_store

__all__ = ["DEMO_PASSWORD", "is_empty", "seed", "total"]


def total(concern_count: int) -> int:
    return len(DEPARTMENTS) + len(PEOPLE) + len(RESIDENT_NAMES) + concern_count


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(User))


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
        city = await people(session)
        await demo_budget.seed(session, rng, real_now, [name for name, *_ in NEIGHBORHOODS])
        await demo_roster.seed(session, random.Random(seed_value + 2), real_now, city)  # noqa: S311
    advance(len(DEPARTMENTS) + len(PEOPLE) + len(RESIDENT_NAMES))

    queue = plan(rng, concern_count, real_now, city)
    # Residents' voice draws from a generator of its own: the concerns and meetings stay the
    # ones the same seed always made.
    voice_rng = random.Random(seed_value + 1)  # noqa: S311  (reproducible demo data)
    queue += voice.plan(voice_rng, real_now, city)
    heapq.heapify(queue)
    ids: dict[int, uuid.UUID] = {}
    proposals: dict[int, uuid.UUID] = {}
    facts: dict[int, dict[str, Any]] = {}
    order = concern_count
    clock_at = real_now

    def later(step: Step, action: str, days: float, index: int | None = None) -> None:
        nonlocal order
        at = step.at + timedelta(days=days, seconds=rng.uniform(60, 7200))
        if at < real_now:
            order += 1
            heapq.heappush(queue, Step(at, order, action, step.index if index is None else index))

    # One transaction per step, in time order, so every audit event carries its step's time.
    with simulated_clock(lambda: clock_at):
        while queue:
            step = heapq.heappop(queue)
            clock_at = step.at
            async with database.unit_of_work() as session:
                if step.action in voice.STEPS:
                    await voice.perform(session, settings, voice_rng, city, step, proposals)
                else:
                    await perform(session, settings, rng, city, step, ids, facts, later)
            if step.action == "submit":
                advance(1)
    async with database.unit_of_work() as session:
        await demo_roster.record(session, random.Random(seed_value + 3), city)  # noqa: S311
        store = open_store(settings)
        await demo_evidence.seed(session, settings, store, random.Random(seed_value + 4))  # noqa: S311
    return total(concern_count)
