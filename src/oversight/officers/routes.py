"""The roster over HTTP: admins import and correct it, commissioners and admins read it."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from oversight.accounts.deps import CurrentActor
from oversight.core.clock import utcnow
from oversight.core.csvfile import BadFile, decode
from oversight.core.errors import ProblemCode, Unprocessable
from oversight.core.http.deps import Cursor, IfMatch, Limit, SessionDep, SettingsDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import json_response, tagged
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page
from oversight.officers import history, roster, service
from oversight.officers import public as public_records
from oversight.officers.enums import OfficerStatus
from oversight.officers.rules import COLUMNS, roster_rows
from oversight.officers.schemas import (
    OfficerHistory,
    OfficerListed,
    OfficerOut,
    OfficerUpdate,
    PublicOfficer,
    PublicOfficerRecord,
    RosterImported,
)

router = APIRouter(prefix="/officers", tags=["officers"])
public = APIRouter(prefix="/public", tags=["public"])

_CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "The roster as CSV, UTF-8, with the header `" + ",".join(COLUMNS) + "`.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.post("/import", name="import", response_model=RosterImported, openapi_extra=_CSV_BODY)
@documented(raises=(ProblemCode.INVALID_INPUT, ProblemCode.TOO_LARGE))
async def import_roster(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """Upsert officers by department and badge (admins); an officer the file leaves out is
    left as is. Any bad row (each named with its line) and nothing is imported. One audited
    event with the file's SHA-256 and what changed; `oversight officers import` does the same."""
    data = await request.body()
    try:
        rows = roster_rows(decode(data), utcnow().date())
    except BadFile as exc:
        raise Unprocessable(str(exc), loc=("body",)) from exc
    result = await roster.import_roster(session, actor, rows, hashlib.sha256(data).hexdigest())
    return json_response(result)


@router.get("", name="list", response_model=Page[OfficerListed])
async def list_officers(
    session: SessionDep,
    actor: CurrentActor,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="A badge (exactly) or a name (similar)."),
    ] = None,
    department_id: uuid.UUID | None = None,
    unit: Annotated[str | None, Query(max_length=100)] = None,
    status: OfficerStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """The roster by last and first name (commissioners, admins)."""
    items, next_cursor = await service.list_officers(
        session,
        actor,
        q=q,
        department_id=department_id,
        unit=unit,
        status=status,
        limit=limit,
        cursor=cursor,
    )
    return json_response({"items": items, "next_cursor": next_cursor})


@router.get("/{officer_id}", name="read", response_model=OfficerOut)
async def read_officer(officer_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> Response:
    """One officer with their assignments, newest first."""
    view = await service.read(session, actor, officer_id)
    return tagged(view, view["version"])


@router.get("/{officer_id}/history", name="history", response_model=OfficerHistory)
async def officer_history(
    officer_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """Every allegation linked to the officer (its concern, category, finding, discipline,
    month and status) and every commendation naming them (commissioners). Each read is
    recorded in the audit log: who looked, and when."""
    return json_response(await history.history(session, actor, officer_id))


@router.patch("/{officer_id}", name="edit", response_model=OfficerOut)
async def edit_officer(
    officer_id: uuid.UUID,
    body: OfficerUpdate,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Correct an officer (admins); a new rank or unit starts a new assignment."""
    view = await service.edit(session, actor, officer_id, if_match, body)
    return tagged(view, view["version"])


@public.get("/officers", name="officers", response_model=Page[PublicOfficer])
@documented(raises=(ProblemCode.NOT_FOUND,))
async def public_officers(
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="A badge (exactly) or a name (similar)."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Officers with a sustained allegation, by name, only where the law makes such records
    public (`PUBLIC_OFFICER_RECORDS=sustained`); otherwise 404."""
    items, next_cursor = await public_records.list_officers(
        session, settings, q, limit=limit, cursor=cursor
    )
    return json_response({"items": items, "next_cursor": next_cursor})


@public.get("/officers/{officer_id}", name="officer", response_model=PublicOfficerRecord)
async def public_officer(
    officer_id: uuid.UUID, session: SessionDep, settings: SettingsDep
) -> Response:
    """One officer's sustained allegations: category, month, finding, and the discipline
    recommended and imposed; nothing else. 404 unless `PUBLIC_OFFICER_RECORDS=sustained` and the
    officer has a sustained allegation."""
    return json_response(await public_records.read(session, settings, officer_id))
