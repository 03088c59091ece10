from __future__ import annotations

import uuid
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from oversight.accounts.deps import CurrentActor
from oversight.core.errors import ProblemCode
from oversight.core.events import EntityType
from oversight.core.http.deps import Cursor, IfMatch, Limit, SessionDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import created_at, json_response, tagged
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.resources import parent_etag
from oversight.core.schemas import Page
from oversight.resolutions import public as published
from oversight.resolutions import recommendations, votes
from oversight.resolutions import service as resolutions
from oversight.resolutions.enums import RecommendationStatus
from oversight.resolutions.schemas import (
    PublicResolution,
    PublicScorecard,
    RecommendationListed,
    RecommendationOut,
    RecommendationResponseCreate,
    ResolutionCreate,
    ResolutionOut,
    ResolutionTransition,
    ResolutionUpdate,
    VoteCreate,
)

#: Each route names its tag: resolutions, or the recommendations they make (the generated
#: clients group operations by tag).
router = APIRouter()
RESOLUTIONS: list[str | Enum] = ["resolutions"]
RECOMMENDATIONS: list[str | Enum] = ["recommendations"]
public = APIRouter(prefix="/public", tags=["public"])


def resolution_response(
    resolution: ResolutionOut, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return tagged(resolution, resolution.version, status_code, headers)


@router.post(
    "/resolutions",
    name="create",
    status_code=status.HTTP_201_CREATED,
    response_model=ResolutionOut,
    tags=RESOLUTIONS,
)
@documented(located=True)
async def create_resolution(
    body: ResolutionCreate, request: Request, session: SessionDep, actor: CurrentActor
) -> Response:
    """A draft, with the concerns it answers and its recommendations to departments."""
    resolution = await resolutions.create(session, actor, body)
    return resolution_response(resolution, 201, {"Location": created_at(request, resolution.id)})


@router.get("/resolutions", name="list", response_model=Page[ResolutionOut], tags=RESOLUTIONS)
async def list_resolutions(
    session: SessionDep, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    items, next_cursor = await resolutions.page(
        session, actor, decided_only=False, limit=limit, cursor=cursor
    )
    return json_response(Page[ResolutionOut](items=items, next_cursor=next_cursor))


@router.get(
    "/resolutions/{resolution_id}", name="read", response_model=ResolutionOut, tags=RESOLUTIONS
)
async def read_resolution(
    resolution_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    return resolution_response(await resolutions.read(session, actor, resolution_id))


@router.patch(
    "/resolutions/{resolution_id}", name="edit", response_model=ResolutionOut, tags=RESOLUTIONS
)
@documented(raises=(ProblemCode.CONFLICT,))
async def edit_resolution(
    resolution_id: uuid.UUID,
    body: ResolutionUpdate,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Only while draft."""
    return resolution_response(
        await resolutions.update(session, actor, resolution_id, if_match, body)
    )


@router.post(
    "/resolutions/{resolution_id}/transitions",
    name="move",
    response_model=ResolutionOut,
    tags=RESOLUTIONS,
)
@documented(raises=(ProblemCode.NOT_A_MOVE, ProblemCode.CONFLICT))
async def move_resolution(
    resolution_id: uuid.UUID,
    body: ResolutionTransition,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """`{to: proposed, meeting_id}` puts it on a scheduled meeting's agenda; `{to: withdrawn}`."""
    return resolution_response(
        await resolutions.transition(session, actor, resolution_id, if_match, body)
    )


@router.put("/resolutions/{resolution_id}/votes/me", response_model=ResolutionOut, tags=RESOLUTIONS)
@documented(raises=(ProblemCode.NOT_PRESENT, ProblemCode.CONFLICT))
async def vote(
    resolution_id: uuid.UUID, body: VoteCreate, session: SessionDep, actor: CurrentActor
) -> Response:
    """Your vote; only while its meeting is in session and you are marked present. A second
    vote replaces the first (both are in the audit log). Recusing needs a reason."""
    return resolution_response(await votes.cast_vote(session, actor, resolution_id, body))


@router.post(
    "/resolutions/{resolution_id}/decision", response_model=ResolutionOut, tags=RESOLUTIONS
)
@documented(raises=(ProblemCode.CONFLICT,))
async def decide(resolution_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> Response:
    """Close the vote: adopted (and numbered) when a quorum is present and yes > no."""
    return resolution_response(await votes.decide_vote(session, actor, resolution_id))


@router.get(
    "/recommendations", name="list", response_model=Page[RecommendationListed], tags=RECOMMENDATIONS
)
async def list_recommendations(
    session: SessionDep,
    actor: CurrentActor,
    status_: Annotated[list[RecommendationStatus] | None, Query(alias="status")] = None,
    department_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> object:
    """Recommendations, newest resolution first: all of them for the commission, an officer's
    own department's of adopted resolutions (the ones to answer)."""
    items, next_cursor = await recommendations.page(
        session,
        actor,
        statuses=status_ or (),
        department_id=department_id,
        limit=limit,
        cursor=cursor,
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/recommendations/{recommendation_id}/responses",
    name="answer",
    response_model=RecommendationOut,
    tags=RECOMMENDATIONS,
)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True, untagged=True)
async def answer_recommendation(
    recommendation_id: uuid.UUID,
    body: RecommendationResponseCreate,
    session: SessionDep,
    actor: CurrentActor,
) -> object:
    """The addressed department's answer, once the resolution is adopted. It shows in the
    resolution too: `Parent-ETag` is the resolution's new ETag."""
    answered = await recommendations.respond(session, actor, recommendation_id, body)
    headers = parent_etag(session, EntityType.RESOLUTION, answered.resolution_id)
    return json_response(answered, headers=headers)


@public.get("/resolutions", name="resolutions", response_model=Page[PublicResolution])
async def public_resolutions(
    session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Decided resolutions: votes by name, recommendations and their implementation status."""
    public, next_cursor = await published.page(session, limit=limit, cursor=cursor)
    return json_response(Page[PublicResolution](items=public, next_cursor=next_cursor))


@public.get("/recommendations/scorecard", response_model=PublicScorecard)
async def recommendation_scorecard(session: SessionDep) -> PublicScorecard:
    """How the departments answered the commission's adopted recommendations."""
    return await recommendations.scorecard(session)


@public.get("/resolutions/{resolution_id}", name="resolution", response_model=PublicResolution)
async def public_resolution(resolution_id: uuid.UUID, session: SessionDep) -> Response:
    return json_response(await published.read(session, resolution_id))
