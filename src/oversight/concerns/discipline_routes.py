"""Discipline on an allegation over HTTP: the commission recommends, the department decides,
a commissioner opens a correction. Each answers with the allegation and the concern's new
ETag as `Parent-ETag`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from oversight.accounts.deps import CurrentActor
from oversight.concerns import discipline
from oversight.concerns.schemas import (
    AllegationOut,
    CorrectionCreate,
    DecisionIn,
    RecommendationIn,
)
from oversight.core.errors import ProblemCode
from oversight.core.events import EntityType
from oversight.core.http.deps import SessionDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import json_response
from oversight.core.resources import parent_etag

router = APIRouter(
    prefix="/concerns/{concern_id}/allegations/{allegation_id}/discipline", tags=["concerns"]
)


def _answer(session: SessionDep, concern_id: uuid.UUID, shown: dict[str, object]) -> Response:
    return json_response(shown, headers=parent_etag(session, EntityType.CONCERN, concern_id))


@router.put("/recommendation", name="recommend_discipline", response_model=AllegationOut)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def recommend_discipline(
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    body: RecommendationIn,
    session: SessionDep,
    actor: CurrentActor,
) -> Response:
    """The commission's recommendation on a sustained or policy-failure finding
    (commissioners); it may change until the department decides (409 after)."""
    shown = await discipline.recommend(session, actor, concern_id, allegation_id, body)
    return _answer(session, concern_id, shown)


@router.put("/decision", name="decide_discipline", response_model=AllegationOut)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def decide_discipline(
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    body: DecisionIn,
    session: SessionDep,
    actor: CurrentActor,
) -> Response:
    """What the department imposed, and why (an officer account of the referred department),
    once: a second decision is a 409 unless a commissioner opened a correction."""
    shown = await discipline.decide(session, actor, concern_id, allegation_id, body)
    return _answer(session, concern_id, shown)


@router.post("/corrections", name="correct_discipline", response_model=AllegationOut)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def correct_discipline(
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    body: CorrectionCreate,
    session: SessionDep,
    actor: CurrentActor,
) -> Response:
    """Open a correction of the department's decision (commissioners), with the reason; the
    department's next decision replaces it, audited with both values."""
    shown = await discipline.open_correction(session, actor, concern_id, allegation_id, body)
    return _answer(session, concern_id, shown)
