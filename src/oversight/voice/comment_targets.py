"""What a comment may be about, and when it is open for comment: the ``TARGETS`` table (adding
a kind of target is one entry there), and ``check_open``, which ``voice.comments`` asks
before it stores a comment."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.budget.models import BudgetLine, FiscalYear
from oversight.core.errors import Conflict, NotFound
from oversight.core.resources import authorize
from oversight.core.roles import Actor
from oversight.meetings.enums import MeetingStatus
from oversight.meetings.models import AgendaItem, Meeting
from oversight.meetings.visibility import meetings_visible_to
from oversight.resolutions.enums import ResolutionStatus
from oversight.resolutions.models import Resolution
from oversight.resolutions.visibility import resolutions_visible_to
from oversight.voice import policy as voice_policy
from oversight.voice.enums import PROPOSALS_OPEN, CommentTarget
from oversight.voice.models import Proposal
from oversight.voice.policy import VoiceAction


@dataclass(frozen=True)
class Standing:
    """A comment target as found: whether it exists, and whether it takes comments now
    (``state`` is the status that decides, for the words of a 409)."""

    exists: bool
    open: bool = False
    state: str | None = None


def _standing(status: str | None, open_while: Collection[str]) -> Standing:
    if status is None:
        return Standing(exists=False)
    return Standing(exists=True, open=status in open_while, state=status)


# Each check reads, of a target the caller may see (a resolution may be a draft: then it is
# not found), the status that decides; for a caller the policy lets comment (``lock``) with a
# shared row lock (FOR SHARE on PostgreSQL; SQLite runs one writer at a time): a meeting cannot
# adjourn, nor a resolution be decided, between the check and the comment's commit, while
# comments do not wait for each other.


def _locked(stmt: Select[Any], lock: bool, of: Any = None) -> Select[Any]:
    return stmt.with_for_update(read=True, of=of) if lock else stmt


async def _agenda_item(
    session: AsyncSession, actor: Actor | None, target_id: uuid.UUID, lock: bool
) -> Standing:
    """Open while its meeting is scheduled or in session."""
    stmt = (
        select(Meeting.status)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.id == target_id, meetings_visible_to(actor))
    )
    return _standing(
        await session.scalar(_locked(stmt, lock, Meeting)),
        (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION),
    )


async def _resolution(
    session: AsyncSession, actor: Actor | None, target_id: uuid.UUID, lock: bool
) -> Standing:
    """Open while proposed (on a meeting's agenda, not yet decided)."""
    stmt = select(Resolution.status).where(
        Resolution.id == target_id, resolutions_visible_to(actor)
    )
    return _standing(await session.scalar(_locked(stmt, lock)), (ResolutionStatus.PROPOSED,))


async def _proposal(
    session: AsyncSession, actor: Actor | None, target_id: uuid.UUID, lock: bool
) -> Standing:
    """Open while it gathers supports (open or qualified), until the commission answers it."""
    stmt = select(Proposal.status).where(Proposal.id == target_id)
    return _standing(await session.scalar(_locked(stmt, lock)), PROPOSALS_OPEN)


async def _budget_line(
    session: AsyncSession, actor: Actor | None, target_id: uuid.UUID, lock: bool
) -> Standing:
    """Open while an admin has opened its fiscal year to comments."""
    stmt = (
        select(FiscalYear.comment_open)
        .join(BudgetLine, BudgetLine.year == FiscalYear.year)
        .where(BudgetLine.id == target_id)
    )
    found = await session.scalar(_locked(stmt, lock, FiscalYear))
    if found is None:
        return Standing(exists=False)
    return Standing(exists=True, open=found, state="open" if found else "closed")


#: What each kind of target is (for whom), and when it is open for comment.
Check = Callable[[AsyncSession, Actor | None, uuid.UUID, bool], Awaitable[Standing]]
TARGETS: Mapping[CommentTarget, Check] = {
    CommentTarget.AGENDA_ITEM: _agenda_item,
    CommentTarget.RESOLUTION: _resolution,
    CommentTarget.PROPOSAL: _proposal,
    CommentTarget.BUDGET_LINE: _budget_line,
}


def _noun(target_type: str) -> str:
    return target_type.replace("_", " ")


async def check_open(
    session: AsyncSession, actor: Actor | None, target_type: CommentTarget, target_id: uuid.UUID
) -> None:
    """404 when there is no such target or the caller may not see it, then the policy (403),
    then 409 when it is closed for comment."""
    refusal = voice_policy.voice(actor.role if actor else None, VoiceAction.COMMENT)
    check = TARGETS.get(target_type)
    standing = await check(session, actor, target_id, refusal is None) if check else Standing(False)
    noun = _noun(target_type)
    if not standing.exists:
        raise NotFound(f"No such {noun}.")
    authorize(refusal)
    if not standing.open:
        owners = {CommentTarget.AGENDA_ITEM: "its meeting", CommentTarget.BUDGET_LINE: "its year"}
        owner = owners.get(target_type, f"the {noun}")
        raise Conflict(f"This {noun} is closed for comment: {owner} is {standing.state}.")
