"""Early intervention over HTTP: rules (admins keep them, commissioners read them) and flags
(commissioners review them; every read of one is recorded)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from oversight.accounts.deps import CurrentActor
from oversight.core.errors import ProblemCode
from oversight.core.http.deps import Cursor, IfMatch, Limit, SessionDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import json_response, tagged
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page
from oversight.intervention import flags, rulebook
from oversight.intervention.enums import FlagLevel, FlagStatus
from oversight.intervention.schemas import (
    FlagOut,
    FlagTransition,
    RuleCreate,
    RuleOut,
    RuleUpdate,
)

router = APIRouter(prefix="/early-intervention", tags=["intervention"])


@router.get("/rules", name="list_rules", response_model=list[RuleOut])
async def list_rules(session: SessionDep, actor: CurrentActor) -> Response:
    """Every rule, by name (commissioners, admins)."""
    return json_response(await rulebook.list_rules(session, actor))


@router.post(
    "/rules", name="create_rule", status_code=status.HTTP_201_CREATED, response_model=RuleOut
)
async def create_rule(body: RuleCreate, session: SessionDep, actor: CurrentActor) -> Response:
    """A rule (admins): a count over a window with warning and critical levels, and optionally
    a percentile of the officer's unit. It takes effect at the next evaluation."""
    rule = await rulebook.create(session, actor, body)
    return tagged(rule, rule["version"], 201)


@router.patch("/rules/{rule_id}", name="change_rule", response_model=RuleOut)
async def change_rule(
    rule_id: uuid.UUID,
    body: RuleUpdate,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Change a rule (admins; `active: false` retires it)."""
    rule = await rulebook.change(session, actor, rule_id, if_match, body)
    return tagged(rule, rule["version"])


@router.get("/flags", name="list_flags", response_model=Page[FlagOut])
async def list_flags(
    session: SessionDep,
    actor: CurrentActor,
    status: FlagStatus | None = None,
    level: FlagLevel | None = None,
    department_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Flags by when they last changed, newest first (commissioners). A tool for support,
    training and supervision, not discipline."""
    items, next_cursor = await flags.list_flags(
        session,
        actor,
        status=status,
        level=level,
        department_id=department_id,
        limit=limit,
        cursor=cursor,
    )
    return json_response({"items": items, "next_cursor": next_cursor})


@router.get("/flags/{flag_id}", name="read_flag", response_model=FlagOut)
async def read_flag(flag_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> Response:
    """One flag (commissioners); the read is recorded in the audit log."""
    flag = await flags.read(session, actor, flag_id)
    return tagged(flag, flag["version"])


@router.post("/flags/{flag_id}/transitions", name="move_flag", response_model=FlagOut)
@documented(raises=(ProblemCode.NOT_A_MOVE,))
async def move_flag(
    flag_id: uuid.UUID,
    body: FlagTransition,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """new -> reviewed -> intervention -> closed; a new or reviewed flag closes with a note."""
    flag = await flags.move(session, actor, flag_id, if_match, body)
    return tagged(flag, flag["version"])
