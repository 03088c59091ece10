"""The simulation's steps: each one a small function, run in its own transaction at its
own (simulated) time; a step schedules the next ones with ``later``. The concerns' steps are
here; the meetings' and what they decide are in ``oversight.demo.meeting_steps``."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import responses
from oversight.concerns import service as concerns
from oversight.concerns.enums import ActionTaken, ConcernStatus, Finding, Kind
from oversight.concerns.schemas import (
    AllegationCreate,
    ConcernCreate,
    ConcernTransition,
    FindingCreate,
    LocationCreate,
    ResponseCreate,
)
from oversight.core.config import Settings
from oversight.core.db import InSession
from oversight.core.roles import Actor
from oversight.demo.city import NEIGHBORHOODS, STREETS, TOPICS, City, Step
from oversight.demo.meeting_steps import MEETING_STEPS
from oversight.demo.roster import typed
from oversight.meetings import service as meetings
from oversight.meetings.enums import MeetingStatus
from oversight.meetings.schemas import MeetingTransition


@dataclass
class Turn:
    """One step of the simulation, in its own transaction: what every step may use."""

    session: AsyncSession
    settings: Settings
    rng: random.Random
    city: City
    step: Step
    ids: dict[int, uuid.UUID]
    facts: dict[int, dict[str, Any]]
    later: Callable[..., None]
    #: The commissioner acting in this step.
    commissioner: Actor

    @property
    def concern_id(self) -> uuid.UUID:
        return self.ids[self.step.index]

    @property
    def fact(self) -> dict[str, Any]:
        return self.facts[self.step.index]

    @property
    def meeting(self) -> dict[str, Any]:
        return self.city.meetings[self.step.index]

    async def move(self, actor: Actor, to: ConcernStatus, **extra: Any) -> None:
        current = await concerns.read(InSession(self.session), actor, self.concern_id)
        await concerns.transition(
            self.session,
            self.settings,
            actor,
            self.concern_id,
            f'"{current["version"]}"',
            ConcernTransition(to=to, **extra),
        )

    async def go(self, to: ConcernStatus, **extra: Any) -> None:
        """The commissioner moves the concern."""
        await self.move(self.commissioner, to, **extra)

    async def move_meeting(self, to: MeetingStatus) -> None:
        meeting_id = self.meeting["id"]
        current = await meetings.read(self.session, self.commissioner, meeting_id)
        await meetings.transition(
            self.session,
            self.commissioner,
            meeting_id,
            f'"{current.version}"',
            MeetingTransition(to=to),
        )


# Concerns ------------------------------------------------------------------------------------


async def _submit(t: Turn) -> None:
    rng, step = t.rng, t.step
    kind, category, _, summaries = rng.choices(TOPICS, weights=[x[2] for x in TOPICS])[0]
    place, lat, lon, _ = rng.choices(NEIGHBORHOODS, weights=[n[3] for n in NEIGHBORHOODS])[0]
    resident = rng.choice(t.city.residents) if rng.random() < 0.75 else None
    allegations = []
    if kind is Kind.COMPLAINT:
        allegations = [
            AllegationCreate(category=category, officer_badge=badge, officer_name=name)
            for badge, name in (typed(rng, t.city) for _ in range(rng.choice([1, 1, 1, 2])))
        ]
    data = ConcernCreate(
        kind=kind,
        category=category,
        summary=rng.choice(summaries),
        description="Demo data. " + rng.choice(summaries) + " — described by the resident.",
        occurred_at=step.at - timedelta(days=rng.uniform(0, 10)),
        location=LocationCreate(
            address=f"{rng.randint(100, 3999)} {rng.choice(STREETS)} St",
            neighborhood=place if rng.random() > 0.08 else None,
            latitude=round(lat + rng.uniform(-0.01, 0.01), 5),
            longitude=round(lon + rng.uniform(-0.01, 0.01), 5),
        ),
        allegations=allegations,
        contact_email=None if resident else f"anon{step.index}@example.org",
    )
    created = await concerns.submit(t.session, t.settings, resident, data)
    t.ids[step.index] = created["id"]
    t.facts[step.index] = {
        "kind": kind,
        "owner": resident,
        "allegations": [a["id"] for a in created["allegations"]],
    }
    roll = rng.random()
    if roll < 0.05:
        t.later(step, "dismiss", rng.uniform(1, 6))
    elif roll < 0.08 and resident is not None:
        t.later(step, "withdraw", rng.uniform(1, 20))
    else:
        t.later(step, "triage", rng.uniform(0.5, 10))


async def _dismiss(t: Turn) -> None:
    await t.go(
        ConcernStatus.DISMISSED,
        reason="Outside the commission's jurisdiction.",
        public_note="This matter is outside the commission's remit.",
    )


async def _withdraw(t: Turn) -> None:
    await t.move(t.fact["owner"], ConcernStatus.WITHDRAWN)


async def _triage(t: Turn) -> None:
    await t.go(ConcernStatus.TRIAGED, public_note="Your concern has been reviewed and accepted.")
    if t.fact["kind"] is Kind.COMPLAINT and t.rng.random() < 0.8:
        t.later(t.step, "refer", t.rng.uniform(1, 7))
    else:
        t.later(t.step, "review", t.rng.uniform(2, 20))


async def _refer(t: Turn) -> None:
    department_id = t.rng.choice(list(t.city.departments.values()))
    t.fact["department_id"] = department_id
    await t.go(ConcernStatus.REFERRED, department_id=department_id)
    if t.rng.random() < 0.88:
        t.later(t.step, "respond", t.rng.uniform(3, 45))


async def _respond(t: Turn) -> None:
    officer = t.city.officers[t.fact["department_id"]]
    await responses.post_response(
        t.session,
        officer,
        t.concern_id,
        ResponseCreate(
            body="The department reviewed the incident with the officers involved.",
            action_taken=t.rng.choice(list(ActionTaken)),
        ),
    )
    t.later(t.step, "review", t.rng.uniform(1, 14))


async def _review(t: Turn) -> None:
    step = t.step
    await t.go(ConcernStatus.UNDER_REVIEW)
    upcoming = [
        m
        for m in t.city.meetings.values()
        if m["id"] is not None and not m["open"] and m["at"] > step.at
    ]
    if upcoming and t.rng.random() < 0.5:
        meeting = min(upcoming, key=lambda m: m["at"])
        await t.go(ConcernStatus.SCHEDULED, meeting_id=meeting["id"])
        t.later(step, "resolve", (meeting["at"] - step.at).total_seconds() / 86400)
    else:
        t.later(step, "resolve", t.rng.uniform(5, 60))


FINDINGS_DRAWN = (
    Finding.SUSTAINED,
    Finding.NOT_SUSTAINED,
    Finding.UNFOUNDED,
    Finding.EXONERATED,
    Finding.NOT_SUSTAINED,
    Finding.MEDIATED,
)


async def _resolve(t: Turn) -> None:
    if t.fact["allegations"]:
        findings = [
            FindingCreate(allegation_id=a, finding=t.rng.choice(FINDINGS_DRAWN))
            for a in t.fact["allegations"]
        ]
        await t.go(
            ConcernStatus.RESOLVED,
            findings=findings,
            public_note="The commission has reached a finding.",
        )
    else:
        disposition = (
            Finding.ACKNOWLEDGED
            if t.fact["kind"] is not Kind.POLICY_CONCERN
            else t.rng.choice([Finding.POLICY_FAILURE, Finding.NO_FINDING])
        )
        await t.go(ConcernStatus.RESOLVED, disposition=disposition)
    if t.rng.random() < 0.7:
        t.later(t.step, "close", t.rng.uniform(3, 20))


async def _close(t: Turn) -> None:
    await t.go(ConcernStatus.CLOSED)


#: What each kind of step does; a step schedules the next ones with ``later``.
STEPS: dict[str, Callable[[Turn], Awaitable[None]]] = {
    "submit": _submit,
    "dismiss": _dismiss,
    "withdraw": _withdraw,
    "triage": _triage,
    "refer": _refer,
    "respond": _respond,
    "review": _review,
    "resolve": _resolve,
    "close": _close,
    **MEETING_STEPS,
}


async def perform(
    session: AsyncSession,
    settings: Settings,
    rng: random.Random,
    city: City,
    step: Step,
    ids: dict[int, uuid.UUID],
    facts: dict[int, dict[str, Any]],
    later: Callable[..., None],
) -> None:
    commissioner = rng.choice(city.commissioners)
    turn = Turn(session, settings, rng, city, step, ids, facts, later, commissioner)
    await STEPS[step.action](turn)
