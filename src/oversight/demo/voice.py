"""Residents' voice in the demo city: comments on meetings' agendas and proposed resolutions,
sign-ups to speak, proposals and their supports, and the commission's answers.

Each is a step of the same simulation (its own transaction at its own time, through the
services the API calls), drawn with a random generator of its own, so that the concerns and
meetings the demo made before are the same, step for step. A meeting's steps fall between
its creation and its opening, while it takes sign-ups and comments.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core.config import Settings
from oversight.core.roles import Actor
from oversight.demo.city import City, Step
from oversight.meetings.enums import AgendaItemKind
from oversight.meetings.models import AgendaItem
from oversight.voice import comments, proposals, speakers
from oversight.voice.comment_schemas import CommentCreate, CommentModeration, CommentTargetIn
from oversight.voice.enums import CommentTarget, Moderation, ProposalStatus
from oversight.voice.proposal_schemas import ProposalCreate, ProposalTransition
from oversight.voice.speaker_schemas import SpeakerCreate

#: Step orders of their own, after any the concerns' plan can number.
FIRST_ORDER = 1 << 40

SPEAKER_TOPICS = [
    "Traffic stops on Clayton Road",
    "The response time in North Concord",
    "Thanks to the officers at the street fair",
    "Body camera footage requests",
    "Youth outreach in Monument Corridor",
    "Noise complaints downtown at night",
]
AGENDA_COMMENTS = [
    "Please publish the stop data by neighborhood, not only citywide.",
    "I would like the commission to hear from the youth council before deciding.",
    "The meeting time makes it hard for working parents to attend; please consider evenings.",
    "Thank you for putting this on the agenda. Our block has waited a long time.",
    "Could the minutes include the department's answers to last month's questions?",
    "Interpretation in Spanish and Vietnamese would help many of my neighbors take part.",
]
RESOLUTION_COMMENTS = [
    "I support this resolution, and ask that progress be reported every quarter.",
    "The recommendation should name a date, not only a department.",
    "Please make sure the training includes officers on the night shift.",
    "I oppose the resolution as written: it does not say how the cost will be covered.",
]
PROPOSALS = [
    ("Publish use-of-force data every month", "Monthly figures by neighborhood and type."),
    ("Hold one meeting a quarter in each district", "So that residents need not travel."),
    ("Crisis counselors on mental-health calls", "Send a counselor with officers."),
    ("A plain-language guide to filing a concern", "In the five languages most spoken here."),
    ("Review the towing policy for unhoused residents", "Towing a home should be a last resort."),
    ("Bike patrols in Monument Corridor", "More officers the neighborhood knows by name."),
    ("Stream the commission's meetings with captions", "And keep the recordings online."),
    ("Report response times by neighborhood", "So that slow areas are seen and fixed."),
]
ANSWERS = [
    (ProposalStatus.ACCEPTED, "The commission takes this up at its next meeting."),
    (ProposalStatus.DECLINED, "Outside the commission's authority; referred to the council."),
]


@dataclass
class _Voice:
    """One step: its session and time, the city, and the proposals made so far."""

    session: AsyncSession
    settings: Settings
    rng: random.Random
    city: City
    step: Step
    proposals: dict[int, uuid.UUID]

    @property
    def commissioner(self) -> Actor:
        return self.city.commissioners[self.step.index % len(self.city.commissioners)]

    def resident(self, salt: int = 0) -> Actor:
        residents = self.city.residents
        return residents[(self.step.index * 7 + salt) % len(residents)]


def plan(rng: random.Random, now: datetime, city: City, proposal_count: int = 6) -> list[Step]:
    """The residents' steps: sign-ups and comments for each meeting between its creation and
    its opening (or now), comments on its resolution, and proposals through the year, each
    with its supports and, for some, the commission's answer."""
    steps: list[Step] = []
    order = FIRST_ORDER

    def add(at: datetime, action: str, index: int) -> None:
        nonlocal order
        if at < now:
            order += 1
            steps.append(Step(at, order, action, index))

    for number, meeting in city.meetings.items():
        created = min(meeting["at"] - timedelta(days=21), now - timedelta(days=1))
        closes = min(meeting["at"], now)
        window = (closes - created).total_seconds()
        if window < 7200:
            continue
        for action, count in (("sign_up", rng.randint(1, 4)), ("comment", rng.randint(1, 4))):
            for _ in range(count):
                add(created + timedelta(seconds=rng.uniform(3600, window - 3600)), action, number)
        # Comments on the resolution on its agenda, if it has one, the days before it sits.
        for _ in range(rng.randint(0, 2)):
            before = timedelta(seconds=rng.uniform(3600, min(3 * 86400, window - 3600)))
            add(closes - before, "resolution_comment", number)
    for index in range(proposal_count):
        made = now - timedelta(days=rng.uniform(20, 330))
        add(made, "propose", index)
        for _ in range(rng.randint(2, 9)):
            add(made + timedelta(days=rng.uniform(0.5, 18)), "support", index)
        if rng.random() < 0.5:
            add(made + timedelta(days=rng.uniform(19, 40)), "answer", index)
    return steps


async def _public_comment_item(t: _Voice) -> uuid.UUID | None:
    meeting_id = t.city.meetings[t.step.index]["id"]
    return await t.session.scalar(
        select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting_id,
            AgendaItem.kind == AgendaItemKind.PUBLIC_COMMENT,
        )
    )


async def _sign_up(t: _Voice) -> None:
    """A resident signs up to speak, once per meeting (a second sign-up is skipped)."""
    meeting_id = t.city.meetings[t.step.index]["id"]
    taken = t.city.meetings[t.step.index].setdefault("speakers", set())
    free = [r for r in t.city.residents if r.user_id not in taken]
    if not free:
        return
    resident = t.rng.choice(free)
    taken.add(resident.user_id)
    await speakers.sign_up(
        t.session,
        resident,
        meeting_id,
        SpeakerCreate(
            topic=t.rng.choice(SPEAKER_TOPICS), agenda_item_id=await _public_comment_item(t)
        ),
    )


async def _comment(
    t: _Voice, target: CommentTarget, target_id: uuid.UUID, texts: list[str]
) -> None:
    """Most comments come from signed-in residents (published at once); an anonymous one
    waits for a commissioner, who publishes it, or now and then hides it, with the reason."""
    if t.rng.random() < 0.8:
        await comments.create(
            t.session,
            t.resident(t.rng.randrange(100)),
            CommentCreate(
                target=CommentTargetIn(type=target, id=target_id),
                body=t.rng.choice(texts),
                show_name=t.rng.random() < 0.5,
            ),
        )
        return
    made = await comments.create(
        t.session,
        None,
        CommentCreate(target=CommentTargetIn(type=target, id=target_id), body=t.rng.choice(texts)),
    )
    hide = t.rng.random() < 0.25
    await comments.moderate(
        t.session,
        t.commissioner,
        made["id"],
        f'"{made["version"]}"',
        CommentModeration(
            action=Moderation.HIDE if hide else Moderation.PUBLISH,
            reason="Names a private person." if hide else None,
        ),
    )


async def _agenda_comment(t: _Voice) -> None:
    item = await _public_comment_item(t)
    if item is not None:
        await _comment(t, CommentTarget.AGENDA_ITEM, item, AGENDA_COMMENTS)


async def _resolution_comment(t: _Voice) -> None:
    resolution = t.city.meetings[t.step.index].get("resolution")
    if resolution is not None:
        await _comment(t, CommentTarget.RESOLUTION, resolution, RESOLUTION_COMMENTS)


async def _propose(t: _Voice) -> None:
    title, body = PROPOSALS[t.step.index % len(PROPOSALS)]
    made = await proposals.create(
        t.session,
        t.settings,
        t.resident(),
        ProposalCreate(title=title, body=body, show_name=t.rng.random() < 0.5),
    )
    t.proposals[t.step.index] = made["id"]


async def _support(t: _Voice) -> None:
    """A resident supports it (once: supporting again changes nothing) while it is open."""
    proposal = await proposals.load(t.session, t.proposals[t.step.index])
    if proposal.status in (ProposalStatus.OPEN, ProposalStatus.QUALIFIED):
        await proposals.support(t.session, t.resident(t.rng.randrange(100)), proposal.id)


async def _answer(t: _Voice) -> None:
    proposal = await proposals.load(t.session, t.proposals[t.step.index])
    to, reason = t.rng.choice(ANSWERS)
    await proposals.transition(
        t.session,
        t.commissioner,
        proposal.id,
        f'"{proposal.version}"',
        ProposalTransition(to=to, reason=reason),
    )


STEPS: dict[str, Callable[[_Voice], Awaitable[None]]] = {
    "sign_up": _sign_up,
    "comment": _agenda_comment,
    "resolution_comment": _resolution_comment,
    "propose": _propose,
    "support": _support,
    "answer": _answer,
}


async def perform(
    session: AsyncSession,
    settings: Settings,
    rng: random.Random,
    city: City,
    step: Step,
    made: dict[int, uuid.UUID],
) -> None:
    await STEPS[step.action](_Voice(session, settings, rng, city, step, made))
