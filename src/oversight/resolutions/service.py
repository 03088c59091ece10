"""Resolutions: drafted, edited, proposed on a meeting or withdrawn, and read. The votes on
them, the decision and its number are ``resolutions.votes``; the recommendations they make are
answered in ``resolutions.recommendations``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Department, User
from oversight.concerns.models import Concern
from oversight.core import audit
from oversight.core import machine as machines
from oversight.core.clock import utcnow
from oversight.core.errors import Conflict, NotFound, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import (
    authorize,
    check_version,
    enforce_move,
    load_row,
    record_change,
    record_move,
)
from oversight.core.roles import Actor, Role
from oversight.meetings import agenda
from oversight.meetings.models import Attendance
from oversight.resolutions import machine as resolution_machine
from oversight.resolutions import policy as resolution_policy
from oversight.resolutions.enums import DECIDED, RecommendationStatus, ResolutionStatus
from oversight.resolutions.models import Recommendation, Resolution, ResolutionConcern, Vote
from oversight.resolutions.policy import ResolutionAction
from oversight.resolutions.schemas import (
    RecommendationCreate,
    RecommendationOut,
    ResolutionCreate,
    ResolutionOut,
    ResolutionTransition,
    ResolutionUpdate,
    TallyOut,
    VoteOut,
)
from oversight.resolutions.visibility import resolutions_visible_to
from oversight.resolutions.voting import Choice, decide
from oversight.voice.enums import CommentStatus, CommentTarget
from oversight.voice.models import Comment


def _may(actor: Actor | None, action: ResolutionAction) -> None:
    authorize(resolution_policy.resolutions(actor.role if actor else None, action))


async def load(
    session: AsyncSession,
    actor: Actor | None,
    resolution_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Resolution:
    """A resolution the caller may see (a draft is the commission's), else 404."""
    return await load_row(
        session,
        Resolution,
        resolution_id,
        missing="No such resolution.",
        visible=resolutions_visible_to(actor),
        for_update=for_update,
    )


async def active_commissioners(session: AsyncSession) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(User.id).where(User.role == Role.COMMISSIONER, User.is_active.is_(True))
    )
    return set(rows.all())


async def present(session: AsyncSession, meeting_id: uuid.UUID | None) -> set[uuid.UUID]:
    if meeting_id is None:
        return set()
    rows = await session.scalars(
        select(Attendance.commissioner_id).where(
            Attendance.meeting_id == meeting_id, Attendance.present.is_(True)
        )
    )
    return set(rows.all())


async def votes_cast(session: AsyncSession, resolution_id: uuid.UUID) -> list[tuple[Vote, str]]:
    rows = await session.execute(
        select(Vote, User.display_name)
        .join(User, User.id == Vote.commissioner_id)
        .where(Vote.resolution_id == resolution_id)
        .order_by(User.display_name, Vote.commissioner_id)
    )
    return [(vote, name) for vote, name in rows]


async def comments_counts(
    session: AsyncSession, resolution_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Published comments per resolution, in one grouped query (a page's worth at once)."""
    if not resolution_ids:
        return {}
    rows = await session.execute(
        select(Comment.target_id, func.count())
        .where(
            Comment.target_type == CommentTarget.RESOLUTION,
            Comment.target_id.in_(resolution_ids),
            Comment.status == CommentStatus.PUBLISHED,
        )
        .group_by(Comment.target_id)
    )
    return {target_id: int(n) for target_id, n in rows.all()}


async def represent(
    session: AsyncSession,
    resolution: Resolution,
    actor: Actor | None,
    *,
    comments: Mapping[uuid.UUID, int] | None = None,
) -> ResolutionOut:
    """``comments``: the page's published-comment counts, when a page is represented."""
    if comments is None:
        comments = await comments_counts(session, [resolution.id])
    concern_ids = await session.scalars(
        select(ResolutionConcern.concern_id)
        .where(ResolutionConcern.resolution_id == resolution.id)
        .order_by(ResolutionConcern.concern_id)
    )
    recommendations = await session.scalars(
        select(Recommendation)
        .where(Recommendation.resolution_id == resolution.id)
        .order_by(Recommendation.position)
    )
    votes = await votes_cast(session, resolution.id)
    if resolution.decided_tally is not None:
        counted = TallyOut(**resolution.decided_tally)
    else:
        _, tally = decide(
            {v.commissioner_id: Choice(v.vote) for v, _ in votes},
            await present(session, resolution.meeting_id),
            await active_commissioners(session),
        )
        counted = TallyOut(**vars(tally))
    allowed = (
        list(machines.allowed(resolution_machine.RESOLUTION_MOVES, resolution.status, actor.role))
        if actor
        else []
    )
    return ResolutionOut(
        id=resolution.id,
        number=resolution.number,
        title=resolution.title,
        body=resolution.body,
        status=resolution.status,
        meeting_id=resolution.meeting_id,
        concern_ids=list(concern_ids.all()),
        recommendations=[RecommendationOut.model_validate(r) for r in recommendations.all()],
        votes=[
            VoteOut(
                commissioner_id=v.commissioner_id, name=name, vote=Choice(v.vote), reason=v.reason
            )
            for v, name in votes
        ],
        tally=counted,
        decided_at=resolution.decided_at,
        allowed_transitions=allowed,
        comments_count=comments.get(resolution.id, 0),
        version=resolution.version,
    )


async def changed(
    session: AsyncSession, actor: Actor, resolution: Resolution, action: AuditAction, **event: Any
) -> None:
    await record_change(session, actor, resolution, EntityType.RESOLUTION, action, **event)


async def _set_links(
    session: AsyncSession,
    resolution: Resolution,
    concern_ids: Sequence[uuid.UUID],
    recommendations: Sequence[RecommendationCreate],
) -> None:
    if missing := set(concern_ids) - set(
        (await session.scalars(select(Concern.id).where(Concern.id.in_(concern_ids)))).all()
    ):
        raise Unprocessable(
            f"No such concerns: {', '.join(sorted(map(str, missing)))}.",
            loc=("body", "concern_ids"),
        )
    departments = {r.department_id for r in recommendations}
    if missing := departments - set(
        (await session.scalars(select(Department.id).where(Department.id.in_(departments)))).all()
    ):
        raise Unprocessable(
            f"No such departments: {', '.join(sorted(map(str, missing)))}.",
            loc=("body", "recommendations"),
        )
    await session.execute(
        delete(ResolutionConcern).where(ResolutionConcern.resolution_id == resolution.id)
    )
    await session.execute(
        delete(Recommendation).where(Recommendation.resolution_id == resolution.id)
    )
    session.add_all(
        ResolutionConcern(resolution_id=resolution.id, concern_id=c)
        for c in dict.fromkeys(concern_ids)
    )
    session.add_all(
        Recommendation(
            resolution_id=resolution.id,
            position=i,
            text=r.text,
            department_id=r.department_id,
            due_at=r.due_at,
            status=RecommendationStatus.PENDING,
            version=1,
        )
        for i, r in enumerate(recommendations)
    )
    await session.flush()


async def create(session: AsyncSession, actor: Actor, data: ResolutionCreate) -> ResolutionOut:
    _may(actor, ResolutionAction.MANAGE)
    now = utcnow()
    resolution = Resolution(
        title=data.title,
        body=data.body,
        status=ResolutionStatus.DRAFT,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(resolution)
    await session.flush()
    await _set_links(session, resolution, data.concern_ids, data.recommendations)
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.RESOLUTION_CREATED,
        entity_type=EntityType.RESOLUTION,
        entity_id=resolution.id,
        to_status=ResolutionStatus.DRAFT,
        data={"title": resolution.title},
    )
    return await represent(session, resolution, actor)


async def read(session: AsyncSession, actor: Actor, resolution_id: uuid.UUID) -> ResolutionOut:
    resolution = await load(session, actor, resolution_id)
    _may(actor, ResolutionAction.READ)
    return await represent(session, resolution, actor)


async def page(
    session: AsyncSession,
    actor: Actor | None,
    *,
    decided_only: bool,
    limit: int,
    cursor: str | None,
) -> tuple[list[ResolutionOut], str | None]:
    if actor is not None:
        _may(actor, ResolutionAction.READ)
    stmt = select(Resolution).where(resolutions_visible_to(actor))
    if decided_only:
        stmt = stmt.where(Resolution.status.in_(DECIDED))
    rows, next_cursor = await keyset_page(
        session,
        stmt,
        [SortKey(Resolution.created_at, True), SortKey(Resolution.id, True)],
        limit=limit,
        cursor=cursor,
    )
    comments = await comments_counts(session, [r.id for r in rows])
    return [await represent(session, r, actor, comments=comments) for r in rows], next_cursor


async def read_public(session: AsyncSession, resolution_id: uuid.UUID) -> ResolutionOut:
    resolution = await load(session, None, resolution_id)
    if resolution.status not in DECIDED:
        raise NotFound("No such decided resolution.")
    return await represent(session, resolution, None)


async def update(
    session: AsyncSession,
    actor: Actor,
    resolution_id: uuid.UUID,
    if_match: str | None,
    data: ResolutionUpdate,
) -> ResolutionOut:
    resolution = await load(session, actor, resolution_id, for_update=True)
    check_version(resolution, if_match)
    _may(actor, ResolutionAction.MANAGE)
    if resolution.status != ResolutionStatus.DRAFT:
        raise Conflict(f"A resolution that is {resolution.status} can no longer be edited.")
    wanted = data.model_dump(exclude_unset=True)
    for name in ("title", "body", "concern_ids", "recommendations"):
        if name in wanted and wanted[name] is None:
            raise Unprocessable(f"{name} may not be null.", loc=("body", name))
    for name in ("title", "body"):
        if name in wanted:
            setattr(resolution, name, wanted[name])
    if "concern_ids" in wanted or "recommendations" in wanted:
        current = await represent(session, resolution, actor)
        await _set_links(
            session,
            resolution,
            data.concern_ids if data.concern_ids is not None else current.concern_ids,
            data.recommendations
            if data.recommendations is not None
            else [
                RecommendationCreate(text=r.text, department_id=r.department_id, due_at=r.due_at)
                for r in current.recommendations
            ],
        )
    await changed(
        session, actor, resolution, AuditAction.RESOLUTION_EDITED, data={"fields": sorted(wanted)}
    )
    return await represent(session, resolution, actor)


async def move(
    session: AsyncSession,
    actor: Actor,
    resolution: Resolution,
    target: str,
    *,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    await record_move(
        session,
        actor,
        resolution,
        EntityType.RESOLUTION,
        AuditAction.RESOLUTION_TRANSITION,
        target,
        reason=reason,
        data=data,
    )


async def transition(
    session: AsyncSession,
    actor: Actor,
    resolution_id: uuid.UUID,
    if_match: str | None,
    data: ResolutionTransition,
) -> ResolutionOut:
    resolution = await load(session, actor, resolution_id, for_update=True)
    check_version(resolution, if_match)
    _may(actor, ResolutionAction.MANAGE)
    given = {"meeting_id"} if data.meeting_id else set()
    enforce_move(
        resolution_machine.RESOLUTION_MOVES,
        "resolution",
        resolution.status,
        data.to,
        actor.role,
        given,
    )
    if data.to == ResolutionStatus.PROPOSED:
        if data.meeting_id is None:  # the machine requires it; this is for the type checker
            raise Unprocessable("A move to proposed needs meeting_id.", loc=("body", "meeting_id"))
        await agenda.propose_resolution(session, actor, data.meeting_id, resolution)
        resolution.meeting_id = data.meeting_id
    elif data.meeting_id is not None:
        raise Unprocessable(
            "meeting_id applies only to a move to proposed.", loc=("body", "meeting_id")
        )
    else:
        await agenda.withdraw_resolution(session, actor, resolution)
    await move(
        session,
        actor,
        resolution,
        data.to,
        reason=data.reason,
        data={"meeting_id": data.meeting_id} if data.meeting_id else None,
    )
    return await represent(session, resolution, actor)
