"""Residents' policy proposals: proposed, supported, answered by the commission."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from oversight.accounts.deps import CurrentActor
from oversight.core.errors import ProblemCode
from oversight.core.http.deps import Cursor, IfMatch, Limit, SessionDep, SettingsDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import json_response, tagged
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page
from oversight.voice import proposals
from oversight.voice.enums import ProposalStatus
from oversight.voice.proposal_schemas import (
    ProposalCreate,
    ProposalSort,
    ProposalTransition,
    PublicProposal,
)
from oversight.voice.proposals import ProposalView

router = APIRouter(prefix="/proposals", tags=["proposals"])
public = APIRouter(prefix="/public/proposals", tags=["public"])


def proposal_response(
    proposal: ProposalView, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return tagged(proposal, proposal["version"], status_code, headers)


@router.post("", name="create", status_code=status.HTTP_201_CREATED, response_model=PublicProposal)
@documented(located=True)
async def create_proposal(
    body: ProposalCreate, session: SessionDep, settings: SettingsDep, actor: CurrentActor
) -> Response:
    """A resident's policy idea, `open` for other residents' support. It keeps the support
    threshold in force now (`support_threshold`)."""
    proposal = await proposals.create(session, settings, actor, body)
    location = f"/api/v1/public/proposals/{proposal['id']}"
    return proposal_response(proposal, 201, {"Location": location})


@router.put("/{proposal_id}/support", name="support", response_model=PublicProposal)
@documented(raises=(ProblemCode.CONFLICT,))
async def support_proposal(
    proposal_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """Support it, once per account (again: 200, no change), while it is `open` or
    `qualified`. The support that reaches `support_threshold` qualifies an open proposal."""
    return proposal_response(await proposals.support(session, actor, proposal_id))


@router.delete("/{proposal_id}/support", response_model=PublicProposal)
@documented(raises=(ProblemCode.CONFLICT,))
async def withdraw_support(
    proposal_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """Withdraw your support while the proposal is `open` (409 once it is not, and 409 when
    you do not support it). A qualified proposal stays qualified."""
    return proposal_response(await proposals.withdraw_support(session, actor, proposal_id))


@router.post("/{proposal_id}/transitions", name="move", response_model=PublicProposal)
@documented(raises=(ProblemCode.NOT_A_MOVE, ProblemCode.CONFLICT))
async def move_proposal(
    proposal_id: uuid.UUID,
    body: ProposalTransition,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Commissioners: `{to: accepted|declined, reason, resolution_id?}` from `open` or
    `qualified` (`reason` is the public response; `accepted` may link a draft resolution).
    The author: `{to: withdrawn}` while `open`."""
    return proposal_response(
        await proposals.transition(session, actor, proposal_id, if_match, body)
    )


@public.get("", name="proposals", response_model=Page[PublicProposal])
async def public_proposals(
    session: SessionDep,
    status_: Annotated[
        list[ProposalStatus] | None, Query(alias="status", description="Repeat for several.")
    ] = None,
    sort: ProposalSort = ProposalSort.NEWEST,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Residents' proposals, newest first or most supported first (`sort=-supports`)."""
    items, next_cursor = await proposals.page(
        session, statuses=status_ or (), sort=sort, limit=limit, cursor=cursor
    )
    return json_response({"items": items, "next_cursor": next_cursor})


@public.get("/{proposal_id}", name="proposal", response_model=PublicProposal)
async def public_proposal(proposal_id: uuid.UUID, session: SessionDep) -> Response:
    """Its `ETag` is the public cache validator (`If-None-Match`, 304), as on every public GET;
    the version to send as `If-Match` is `version`, and the ETag of every write's answer."""
    return json_response(await proposals.read_public(session, proposal_id))
