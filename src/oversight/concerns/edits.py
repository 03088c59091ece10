"""Edits of a concern's fields: commissioners triage, the owner corrects the description."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import User
from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import PRIORITY_BY_RANK, PRIORITY_RANK, Kind
from oversight.concerns.intake import check_categories
from oversight.concerns.models import CommendedOfficer, Concern
from oversight.concerns.moves import changed
from oversight.concerns.schemas import ConcernUpdate
from oversight.concerns.view import ConcernView, commended_of, view_loaded
from oversight.concerns.visibility import load
from oversight.core.clock import utcnow
from oversight.core.errors import Forbidden, Unprocessable
from oversight.core.events import AuditAction
from oversight.core.resources import check_version
from oversight.core.roles import Actor, Role
from oversight.officers.models import RosterOfficer


async def _check_assignee(session: AsyncSession, assignee_id: uuid.UUID) -> None:
    role = await session.scalar(
        select(User.role).where(User.id == assignee_id, User.is_active.is_(True))
    )
    if role != Role.COMMISSIONER:
        raise Unprocessable(
            "The assignee must be an active commissioner.", loc=("body", "assignee_id")
        )


async def _check_commended(
    session: AsyncSession, concern: Concern, wanted: list[uuid.UUID] | None
) -> list[uuid.UUID]:
    """The officers a commendation commends, each on the roster, sorted and once each."""
    where = ("body", "commended_officer_ids")
    if concern.kind != Kind.COMMENDATION:
        raise Unprocessable("Only a commendation commends officers.", loc=where)
    if wanted is None:
        raise Unprocessable("commended_officer_ids may not be null; [] for none.", loc=where)
    found = set(await session.scalars(select(RosterOfficer.id).where(RosterOfficer.id.in_(wanted))))
    if unknown := sorted(str(i) for i in set(wanted) - found):
        raise Unprocessable(f"Not on the roster: {', '.join(unknown)}.", loc=where)
    return sorted(found)


async def update(
    session: AsyncSession,
    actor: Actor,
    concern_id: uuid.UUID,
    if_match: str | None,
    data: ConcernUpdate,
) -> ConcernView:
    concern = await load(session, actor, concern_id, for_update=True)
    check_version(concern, if_match)
    wanted = data.model_dump(exclude_unset=True)
    may = concern_policy.editable_fields(
        actor.role, concern.status, owner=concern.submitted_by == actor.user_id
    )
    if refused := sorted(set(wanted) - may):
        raise Forbidden(f"You may not change {', '.join(refused)} of this concern now.")
    if "priority" in wanted and wanted["priority"] is None:
        raise Unprocessable("priority may not be null.", loc=("body", "priority"))
    if wanted.get("category") is not None:
        await check_categories(session, (("body", "category"), {wanted["category"]}))
    elif "category" in wanted:
        raise Unprocessable("category may not be null.", loc=("body", "category"))
    if "description" in wanted and wanted["description"] is None:
        raise Unprocessable("description may not be null.", loc=("body", "description"))
    if wanted.get("assignee_id") is not None:
        await _check_assignee(session, wanted["assignee_id"])
    commended = None
    if "commended_officer_ids" in wanted:
        commended = await _check_commended(session, concern, wanted.pop("commended_officer_ids"))

    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in wanted.items():
        column, stored = name, value
        if name == "priority":
            column, stored = "priority_rank", PRIORITY_RANK[value]
        current = getattr(concern, column)
        if current != stored:
            shown_before = PRIORITY_BY_RANK[current] if name == "priority" else current
            before[name], after[name] = shown_before, value
            setattr(concern, column, stored)
    if commended is not None and set(current := await commended_of(session, concern.id)) != set(
        commended
    ):
        before["commended_officer_ids"], after["commended_officer_ids"] = current, commended
        await session.execute(
            delete(CommendedOfficer).where(CommendedOfficer.concern_id == concern.id)
        )
        session.add_all(CommendedOfficer(concern_id=concern.id, officer_id=i) for i in commended)
    now = utcnow()
    if after:
        await changed(
            session,
            actor,
            concern,
            now,
            AuditAction.CONCERN_EDITED,
            data={"before": before, "after": after},
        )
    return await view_loaded(session, concern, actor, now)
