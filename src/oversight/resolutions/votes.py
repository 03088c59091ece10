"""Votes on a proposed resolution, by name, while its meeting is in session (a recusal gives
its reason), and the decision they make: adopted resolutions are numbered. Drafting,
proposing and reading resolutions are ``resolutions.service``."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core.clock import utcnow
from oversight.core.db import dialect_name
from oversight.core.errors import Conflict, ProblemCode, Unprocessable
from oversight.core.events import AuditAction
from oversight.core.resources import authorize, enforce_move
from oversight.core.roles import Actor
from oversight.meetings.enums import MeetingStatus
from oversight.meetings.models import Meeting
from oversight.resolutions import machine as resolution_machine
from oversight.resolutions import policy as resolution_policy
from oversight.resolutions.enums import ResolutionStatus
from oversight.resolutions.models import Resolution, ResolutionNumber, Vote
from oversight.resolutions.policy import ResolutionAction
from oversight.resolutions.schemas import ResolutionOut, VoteCreate
from oversight.resolutions.service import (
    active_commissioners,
    changed,
    load,
    move,
    present,
    represent,
    votes_cast,
)
from oversight.resolutions.voting import Choice, decide


def _may(actor: Actor | None, action: ResolutionAction) -> None:
    authorize(resolution_policy.resolutions(actor.role if actor else None, action))


async def _open_vote(session: AsyncSession, resolution: Resolution) -> Meeting:
    if resolution.status != ResolutionStatus.PROPOSED or resolution.meeting_id is None:
        raise Conflict(f"A resolution that is {resolution.status} is not open for a vote.")
    meeting = await session.get(Meeting, resolution.meeting_id)
    if meeting is None or meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict("Votes are taken while the resolution's meeting is in session.")
    return meeting


async def cast_vote(
    session: AsyncSession, actor: Actor, resolution_id: uuid.UUID, data: VoteCreate
) -> ResolutionOut:
    resolution = await load(session, actor, resolution_id, for_update=True)
    _may(actor, ResolutionAction.MANAGE)
    meeting = await _open_vote(session, resolution)
    if actor.user_id not in await present(session, meeting.id):
        raise Conflict(
            "Only commissioners marked present at the meeting vote.", code=ProblemCode.NOT_PRESENT
        )
    if data.vote is Choice.RECUSED and not data.reason:
        raise Unprocessable("A recusal needs a reason.", loc=("body", "reason"))
    existing = await session.get(Vote, (resolution.id, actor.user_id))
    before = {"vote": existing.vote, "reason": existing.reason} if existing else None
    if existing is None:
        session.add(
            Vote(
                resolution_id=resolution.id,
                commissioner_id=actor.user_id,
                vote=data.vote,
                reason=data.reason,
                cast_at=utcnow(),
            )
        )
    else:
        existing.vote, existing.reason, existing.cast_at = data.vote, data.reason, utcnow()
    await changed(
        session,
        actor,
        resolution,
        AuditAction.VOTE_CAST,
        data={"before": before, "after": {"vote": data.vote.value, "reason": data.reason}},
    )
    return await represent(session, resolution, actor)


async def _next_number(session: AsyncSession, year: int) -> str:
    """Gap-free per year: the counter moves in the adopting transaction, atomically."""
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    stmt = (
        insert(ResolutionNumber)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=[ResolutionNumber.year], set_={"last": ResolutionNumber.last + 1}
        )
        .returning(ResolutionNumber.last)
    )
    last = (await session.execute(stmt)).scalar_one()
    return f"R-{year}-{last:03d}"


async def decide_vote(
    session: AsyncSession, actor: Actor, resolution_id: uuid.UUID
) -> ResolutionOut:
    resolution = await load(session, actor, resolution_id, for_update=True)
    _may(actor, ResolutionAction.MANAGE)
    meeting = await _open_vote(session, resolution)
    votes = {v.commissioner_id: Choice(v.vote) for v, _ in await votes_cast(session, resolution.id)}
    outcome, counted = decide(
        votes, await present(session, meeting.id), await active_commissioners(session)
    )
    enforce_move(
        resolution_machine.RESOLUTION_MOVES,
        "resolution",
        resolution.status,
        outcome,
        actor.role,
        set(),
        via=resolution_machine.DECISION,
    )
    now = utcnow()
    resolution.decided_at = now
    resolution.decided_tally = vars(counted)
    if outcome == ResolutionStatus.ADOPTED:
        resolution.number = await _next_number(session, now.year)
    await move(
        session,
        actor,
        resolution,
        outcome,
        data={"tally": vars(counted), "number": resolution.number},
    )
    return await represent(session, resolution, actor)
