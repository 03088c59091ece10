"""The simulation's meeting steps: a meeting is created with its agenda and, often, a proposed
resolution; it opens, takes attendance and votes; it adjourns and approves its minutes; and the
departments answer an adopted resolution's recommendations. Each step runs like a concern's
(see ``oversight.demo.steps``), in its own transaction at its own (simulated) time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from oversight.demo.city import RECOMMENDATION_TEXTS, RESOLUTION_TITLES
from oversight.meetings import service as meetings
from oversight.meetings.enums import AgendaItemKind, MeetingStatus
from oversight.meetings.schemas import (
    AgendaItemCreate,
    AttendanceUpdate,
    MeetingCreate,
    MinutesUpdate,
)
from oversight.resolutions import recommendations, votes
from oversight.resolutions import service as resolutions
from oversight.resolutions.enums import RecommendationStatus, ResolutionStatus
from oversight.resolutions.schemas import (
    RecommendationCreate,
    RecommendationResponseCreate,
    ResolutionCreate,
    ResolutionTransition,
    VoteCreate,
)
from oversight.resolutions.voting import Choice

if TYPE_CHECKING:
    # Only for annotations: ``oversight.demo.steps`` imports this module.
    from oversight.demo.steps import Turn


async def _meeting_create(t: Turn) -> None:
    rng, plan, session, commissioner = t.rng, t.meeting, t.session, t.commissioner
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
        AgendaItemCreate(title="Public comment", kind=AgendaItemKind.PUBLIC_COMMENT),
    )
    if rng.random() < 0.7:
        drafted = await resolutions.create(
            session,
            commissioner,
            ResolutionCreate(
                title=rng.choice(RESOLUTION_TITLES),
                body="Demo data. The commission resolves as follows, and recommends:",
                recommendations=[
                    RecommendationCreate(
                        text=rng.choice(RECOMMENDATION_TEXTS),
                        department_id=rng.choice(list(t.city.departments.values())),
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
            ResolutionTransition(to=ResolutionStatus.PROPOSED, meeting_id=created.id),
        )
        plan["resolution"] = drafted.id


async def _meeting_open(t: Turn) -> None:
    rng, plan, city, session = t.rng, t.meeting, t.city, t.session
    plan["open"] = True
    await t.move_meeting(MeetingStatus.IN_SESSION)
    present = [c for c in city.commissioners if rng.random() < 0.85]
    await meetings.set_attendance(
        session,
        t.commissioner,
        plan["id"],
        [
            AttendanceUpdate(commissioner_id=c.user_id, present=c in present)
            for c in city.commissioners
        ],
    )
    if not plan.get("resolution"):
        return
    for member in present:
        choice = rng.choices(list(Choice), weights=[75, 12, 8, 5])[0]
        reason = "A family member is involved." if choice is Choice.RECUSED else None
        await votes.cast_vote(
            session, member, plan["resolution"], VoteCreate(vote=choice, reason=reason)
        )
    decided = await votes.decide_vote(session, t.commissioner, plan["resolution"])
    if decided.status != ResolutionStatus.ADOPTED:
        return
    for recommendation in decided.recommendations:
        officer = city.officers[recommendation.department_id]
        city.recommendations.append((recommendation.id, officer))
        t.later(t.step, "recommendation_answer", rng.uniform(10, 60), len(city.recommendations) - 1)


async def _meeting_close(t: Turn) -> None:
    await t.move_meeting(MeetingStatus.ADJOURNED)


async def _meeting_minutes(t: Turn) -> None:
    meeting_id = t.meeting["id"]
    await meetings.write_minutes(
        t.session,
        t.commissioner,
        meeting_id,
        MinutesUpdate(
            body="The chair called the meeting to order. Public comment was heard. "
            "The commission reviewed the concerns on the agenda."
        ),
    )
    await meetings.approve_minutes(t.session, t.commissioner, meeting_id)


ANSWERS_DRAWN = (
    RecommendationStatus.ACCEPTED,
    RecommendationStatus.ACCEPTED,
    RecommendationStatus.PARTIALLY_ACCEPTED,
    RecommendationStatus.REJECTED,
    RecommendationStatus.IMPLEMENTED,
)


async def _recommendation_answer(t: Turn) -> None:
    recommendation_id, officer = t.city.recommendations[t.step.index]
    status = t.rng.choice(ANSWERS_DRAWN)
    await recommendations.respond(
        t.session,
        officer,
        recommendation_id,
        RecommendationResponseCreate(status=status, body="The department's answer (demo)."),
    )
    in_progress = {RecommendationStatus.ACCEPTED, RecommendationStatus.PARTIALLY_ACCEPTED}
    if status in in_progress and t.rng.random() < 0.5:
        t.later(t.step, "recommendation_done", t.rng.uniform(20, 90))


async def _recommendation_done(t: Turn) -> None:
    recommendation_id, officer = t.city.recommendations[t.step.index]
    await recommendations.respond(
        t.session,
        officer,
        recommendation_id,
        RecommendationResponseCreate(
            status=RecommendationStatus.IMPLEMENTED, body="Implemented (demo)."
        ),
    )


#: What each kind of meeting step does; a step schedules the next ones with ``later``.
MEETING_STEPS: dict[str, Callable[[Turn], Awaitable[None]]] = {
    "meeting_create": _meeting_create,
    "meeting_open": _meeting_open,
    "meeting_close": _meeting_close,
    "meeting_minutes": _meeting_minutes,
    "recommendation_answer": _recommendation_answer,
    "recommendation_done": _recommendation_done,
}
