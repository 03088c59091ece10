"""Residents' policy proposals: proposed by a resident, supported by others (exactly, however
many support at once), qualified by rule when the supports reach the threshold, answered by
the commission or withdrawn by their author.

Supports are counted under the proposal's row lock (``FOR UPDATE``; SQLite's writers queue
behind ``BEGIN IMMEDIATE``): the count, the support rows and the one qualification stay in
step. A second support by the same account is a no-op (the primary key of
``proposal_supports`` and ``ON CONFLICT DO NOTHING``), never an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from oversight.accounts.models import User
from oversight.core import audit
from oversight.core import machine as machines
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.db import dialect_name
from oversight.core.errors import Conflict, NotFound, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import (
    authorize,
    bumped,
    check_version,
    enforce_move,
    record_move,
    remember,
)
from oversight.core.roles import Actor
from oversight.resolutions.enums import ResolutionStatus
from oversight.resolutions.models import Resolution
from oversight.voice import machine as voice_machine
from oversight.voice import policy as voice_policy
from oversight.voice.enums import PROPOSALS_OPEN, ProposalStatus, author_shown
from oversight.voice.models import Proposal, ProposalSupport
from oversight.voice.policy import VoiceAction
from oversight.voice.proposal_schemas import ProposalCreate, ProposalSort, ProposalTransition

ProposalView = dict[str, Any]

#: Each public order, as keyset keys (both descending, so a page is one backward index scan of
#: ``ix_proposals[_status]_supports_id`` or ``..._created_at_id``).
SORTS: dict[ProposalSort, tuple[SortKey, ...]] = {
    ProposalSort.MOST_SUPPORTED: (SortKey(Proposal.supports, True), SortKey(Proposal.id, True)),
    ProposalSort.NEWEST: (SortKey(Proposal.created_at, True), SortKey(Proposal.id, True)),
}
#: What the commission's answer records as the proposal's public response.
ANSWERS = frozenset({ProposalStatus.ACCEPTED, ProposalStatus.DECLINED})


def _may(actor: Actor, action: VoiceAction) -> None:
    authorize(voice_policy.voice(actor.role, action))


async def load(
    session: AsyncSession, proposal_id: uuid.UUID, *, for_update: bool = False
) -> Proposal:
    """The proposal, else 404. ``for_update`` takes FOR NO KEY UPDATE: it waits for other
    writers of the row, but not for the key-share locks a support's row takes on it."""
    stmt = select(Proposal).where(Proposal.id == proposal_id)
    if for_update:
        stmt = stmt.with_for_update(key_share=True)
    proposal = await session.scalar(stmt.execution_options(populate_existing=True))
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


async def _names(session: AsyncSession, proposals: Iterable[Proposal]) -> dict[uuid.UUID, str]:
    """The display names of the authors who chose to show theirs (one query for a page)."""
    shown = {p.author_id for p in proposals if p.show_name}
    if not shown:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(shown)))
    return dict(rows.all())


def view(proposal: Proposal, names: dict[uuid.UUID, str]) -> ProposalView:
    """A proposal as anyone may read it: the author by display name only when they chose to
    show it, never an account id or an e-mail."""
    response = None
    if proposal.response_body is not None and proposal.responded_at is not None:
        response = {
            "body": proposal.response_body,
            "at": proposal.responded_at,
            "resolution_id": proposal.resolution_id,
        }
    return {
        "id": proposal.id,
        "title": proposal.title,
        "body": proposal.body,
        "status": proposal.status,
        "supports": proposal.supports,
        "support_threshold": proposal.support_threshold,
        "author": author_shown(names.get(proposal.author_id), proposal.show_name),
        "response": response,
        "created_at": proposal.created_at,
        "version": proposal.version,
    }


async def represent(session: AsyncSession, proposal: Proposal) -> ProposalView:
    return view(proposal, await _names(session, [proposal]))


async def create(
    session: AsyncSession, settings: Settings, actor: Actor, data: ProposalCreate
) -> ProposalView:
    _may(actor, VoiceAction.PROPOSE)
    now = utcnow()
    proposal = Proposal(
        title=data.title,
        body=data.body,
        status=ProposalStatus.OPEN,
        author_id=actor.user_id,
        show_name=data.show_name,
        supports=0,
        # The threshold in force now stays this proposal's, whatever the setting becomes.
        support_threshold=settings.proposal_support_threshold,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.PROPOSAL_CREATED,
        entity_type=EntityType.PROPOSAL,
        entity_id=proposal.id,
        to_status=ProposalStatus.OPEN,
        data={"title": proposal.title, "support_threshold": proposal.support_threshold},
    )
    return await represent(session, proposal)


async def read_public(session: AsyncSession, proposal_id: uuid.UUID) -> ProposalView:
    return await represent(session, await load(session, proposal_id))


async def page(
    session: AsyncSession,
    *,
    statuses: Sequence[ProposalStatus],
    sort: ProposalSort,
    limit: int,
    cursor: str | None,
) -> tuple[list[ProposalView], str | None]:
    stmt = select(Proposal)
    if statuses:
        stmt = stmt.where(Proposal.status.in_(sorted(set(statuses))))
    rows, next_cursor = await keyset_page(session, stmt, SORTS[sort], limit=limit, cursor=cursor)
    names = await _names(session, rows)
    return [view(p, names) for p in rows], next_cursor


async def _add_support(session: AsyncSession, proposal_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Store the support; False when this account already supports the proposal."""
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    stmt = (
        insert(ProposalSupport)
        .values(proposal_id=proposal_id, user_id=user_id, created_at=utcnow())
        .on_conflict_do_nothing(
            index_elements=[ProposalSupport.proposal_id, ProposalSupport.user_id]
        )
        .returning(ProposalSupport.user_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def support(session: AsyncSession, actor: Actor, proposal_id: uuid.UUID) -> ProposalView:
    """Support once per account; again is no change. The support that reaches the threshold
    of an open proposal qualifies it, in the same transaction, as the ``system`` actor.

    The support's row is stored first; then one UPDATE moves the count, and its row lock, held
    to the commit, serializes the supports of one proposal: the count and the qualification
    are exact, while the lock is held only for that UPDATE, the audit append and the commit."""
    proposal = await load(session, proposal_id)
    if proposal.status not in PROPOSALS_OPEN:
        raise Conflict(f"A proposal that is {proposal.status} no longer gathers supports.")
    _may(actor, VoiceAction.SUPPORT)
    if not await _add_support(session, proposal.id, actor.user_id):
        return await represent(session, proposal)
    await _count(session, actor, proposal, +1, PROPOSALS_OPEN, AuditAction.PROPOSAL_SUPPORTED)
    if proposal.status == ProposalStatus.OPEN and proposal.supports >= proposal.support_threshold:
        enforce_move(
            voice_machine.PROPOSAL_MOVES,
            "proposal",
            proposal.status,
            ProposalStatus.QUALIFIED,
            actor.role,
            set(),
            via=voice_machine.SUPPORTS,
        )
        await record_move(
            session,
            audit.SYSTEM,
            proposal,
            EntityType.PROPOSAL,
            AuditAction.PROPOSAL_TRANSITION,
            ProposalStatus.QUALIFIED,
            data={"supports": proposal.supports, "support_threshold": proposal.support_threshold},
        )
    return await represent(session, proposal)


async def _count(
    session: AsyncSession,
    actor: Actor,
    proposal: Proposal,
    step: int,
    while_in: Iterable[str],
    action: AuditAction,
) -> None:
    """Move the proposal's count (and version) by ``step`` in one UPDATE, if it is still in one
    of ``while_in``, and audit it as ``action``; else 409 (it was answered or withdrawn
    meanwhile: the support's row goes with the request's rollback). The loaded object takes
    the stored values."""
    counted = (
        await session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id, Proposal.status.in_(list(while_in)))
            .values(supports=Proposal.supports + step, **bumped(Proposal, utcnow()))
            .returning(Proposal.supports, Proposal.status, Proposal.version, Proposal.updated_at)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if counted is None:
        raise Conflict("The proposal was answered or withdrawn meanwhile; try again.")
    for name, value in counted._mapping.items():
        set_committed_value(proposal, name, value)
    remember(session, EntityType.PROPOSAL, proposal.id, proposal.version)
    await audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=EntityType.PROPOSAL,
        entity_id=proposal.id,
        data={"supports": proposal.supports},
    )


async def withdraw_support(
    session: AsyncSession, actor: Actor, proposal_id: uuid.UUID
) -> ProposalView:
    """Withdraw one's support while the proposal is open (a qualified one stays qualified
    whatever happens to its supports, so they are kept from then on)."""
    proposal = await load(session, proposal_id)
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict(
            f"Supports are withdrawn only while a proposal is open; this one is {proposal.status}."
        )
    _may(actor, VoiceAction.SUPPORT)
    removed = await session.execute(
        delete(ProposalSupport)
        .where(
            ProposalSupport.proposal_id == proposal.id,
            ProposalSupport.user_id == actor.user_id,
        )
        .returning(ProposalSupport.user_id)
    )
    if removed.scalar_one_or_none() is None:
        raise Conflict("You do not support this proposal; there is nothing to withdraw.")
    await _count(
        session, actor, proposal, -1, (ProposalStatus.OPEN,), AuditAction.PROPOSAL_SUPPORT_WITHDRAWN
    )
    return await represent(session, proposal)


async def _check_draft(session: AsyncSession, resolution_id: uuid.UUID) -> None:
    """The resolution an acceptance links exists and is a draft (held so until commit)."""
    found = await session.scalar(
        select(Resolution.status).where(Resolution.id == resolution_id).with_for_update(read=True)
    )
    if found is None:
        raise Unprocessable("No such resolution.", loc=("body", "resolution_id"))
    if found != ResolutionStatus.DRAFT:
        raise Unprocessable(
            f"An accepted proposal links a draft resolution; this one is {found}.",
            loc=("body", "resolution_id"),
        )


async def transition(
    session: AsyncSession,
    actor: Actor,
    proposal_id: uuid.UUID,
    if_match: str | None,
    data: ProposalTransition,
) -> ProposalView:
    """The commission accepts or declines an open or qualified proposal with its public
    response; its author withdraws it while it is open."""
    proposal = await load(session, proposal_id, for_update=True)
    check_version(proposal, if_match)
    given = {name for name in data.model_fields_set - {"to"} if getattr(data, name) is not None}
    found = enforce_move(
        voice_machine.PROPOSAL_MOVES, "proposal", proposal.status, data.to, actor.role, given
    )
    if data.to == ProposalStatus.WITHDRAWN:
        authorize(
            voice_policy.withdraw_proposal(actor.role, author=proposal.author_id == actor.user_id)
        )
    if stray := machines.stray_fields(voice_machine.PROPOSAL_MOVES, found, given):
        name = stray[0]
        raise Unprocessable(f"{name} does not apply to a move to {data.to}.", loc=("body", name))
    if data.resolution_id is not None:
        await _check_draft(session, data.resolution_id)
    now = utcnow()
    if data.to in ANSWERS:
        proposal.response_body = data.reason
        proposal.responded_at = now
        proposal.resolution_id = data.resolution_id
    await record_move(
        session,
        actor,
        proposal,
        EntityType.PROPOSAL,
        AuditAction.PROPOSAL_TRANSITION,
        data.to,
        now,
        reason=data.reason,
        data={"resolution_id": data.resolution_id} if data.resolution_id else None,
    )
    return await represent(session, proposal)
