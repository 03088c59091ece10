from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import AwareDatetime

from oversight.accounts.deps import CurrentActor, OptionalActor
from oversight.concerns import allegations, notes, responses, timeline
from oversight.concerns import service as concerns
from oversight.concerns.enums import ConcernStatus, Kind, Priority
from oversight.concerns.schemas import (
    AllegationCreate,
    AllegationOut,
    AllegationUpdate,
    ConcernCounts,
    ConcernCreate,
    ConcernEventOut,
    ConcernOut,
    ConcernSort,
    ConcernTransition,
    ConcernUpdate,
    NoteCreate,
    NoteOut,
    PublicConcernStatus,
    PublicNote,
    PublicNoteCreate,
    ResponseCreate,
    ResponseOut,
)
from oversight.core.errors import ProblemCode
from oversight.core.events import EntityType
from oversight.core.http.deps import (
    Cursor,
    DatabaseDep,
    IdempotencyKey,
    IfMatch,
    Limit,
    LimiterDep,
    SessionDep,
    SettingsDep,
    Storable,
    limited_by_ip,
)
from oversight.core.http.documentation import documented
from oversight.core.http.responses import created_at, idempotent, json_response, tagged
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.ratelimit import RateLimit, client_ip
from oversight.core.resources import parent_etag
from oversight.core.roles import Role
from oversight.core.schemas import Page
from oversight.officers.schemas import OfficerCandidate

public = APIRouter(prefix="/public", tags=["public"])
router = APIRouter(prefix="/concerns", tags=["concerns"])


def etag_of(concern: dict[str, Any]) -> str | None:
    return f'"{concern["version"]}"' if "version" in concern else None


def concern_response(concern: concerns.ConcernView) -> Response:
    return tagged(concern, concern["version"])


@router.post(
    "",
    name="submit",
    status_code=status.HTTP_201_CREATED,
    response_model=ConcernOut,
    response_model_exclude_unset=True,
)
@documented(located=True)
async def submit_concern(
    body: ConcernCreate,
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    actor: OptionalActor,
    limiter: LimiterDep,
    key: IdempotencyKey = None,
) -> Response:
    """Bring a concern to the commission, signed in (a resident) or anonymously. Keep the
    `tracking_code`: it is the key to the public status page and to follow-up notes.
    Commission staff (commissioners, admins) enter concerns taken by telephone, e-mail, letter
    or at the counter: they name the `channel`, and `on_behalf_of` a resident's account if the
    resident has one; the tracking code comes back to pass on.
    Residents' submissions are rate-limited, anonymous ones per client IP and signed-in ones
    per account (429 with Retry-After); staff intake is not."""
    if actor is None:
        await limiter.hit(RateLimit.INTAKE_IP, client_ip(request))
    elif actor.role is Role.RESIDENT:
        await limiter.hit(RateLimit.SUBMIT_ACCOUNT, str(actor.user_id))
    if key is None:  # no answer to remember: the intake is a unit of work of its own
        concern = await concerns.submit_alone(database, settings, actor, body)
        headers = {"Location": created_at(request, concern["id"])}
        return tagged(concern, concern["version"], status.HTTP_201_CREATED, headers)
    async with database.unit_of_work() as session:
        return await idempotent(
            session,
            request,
            actor,
            key,
            body,
            lambda: concerns.submit(session, settings, actor, body),
            status_code=status.HTTP_201_CREATED,
            etag=etag_of,
            location=lambda concern: created_at(request, concern["id"]),
        )


@router.get("", name="list", response_model=Page[ConcernOut], response_model_exclude_unset=True)
async def list_concerns(
    session: SessionDep,
    actor: CurrentActor,
    status_: Annotated[list[ConcernStatus] | None, Query(alias="status")] = None,
    kind: Kind | None = None,
    category: Annotated[str | None, Query(max_length=64), Storable] = None,
    priority: Priority | None = None,
    assignee_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    neighborhood: Annotated[str | None, Query(max_length=100), Storable] = None,
    submitted_from: AwareDatetime | None = None,
    submitted_to: AwareDatetime | None = None,
    overdue: bool | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200), Storable] = None,
    tracking_code: Annotated[
        str | None,
        Query(
            min_length=12,
            max_length=30,
            description="Commissioners and admins: the concern with this tracking code, "
            "however it was typed (case, dashes, O/0 and I/1 mix-ups).",
        ),
        Storable,
    ] = None,
    sort: ConcernSort = ConcernSort.NEWEST,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> object:
    """The concerns this caller may see: the commission's triage queue, a resident's own, an
    officer's department's. `overdue` and `sort=due` use the current stage's deadline."""
    filters = concerns.ConcernFilters(
        status=status_ or (),
        kind=kind,
        category=category,
        priority=priority,
        assignee_id=assignee_id,
        department_id=department_id,
        neighborhood=neighborhood,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        overdue=overdue,
        q=q,
        tracking_code=tracking_code,
    )
    items, next_cursor = await concerns.page(
        session, actor, filters, sort=sort, limit=limit, cursor=cursor
    )
    return json_response({"items": items, "next_cursor": next_cursor})


@router.get("/counts", name="counts", response_model=ConcernCounts)
@documented(every_role=True)
async def count_concerns(session: SessionDep, actor: CurrentActor) -> object:
    """Badges for the queues: how many of the concerns this caller may see (as in the list)
    are in each status, and how many are overdue. Cheap however many concerns there are."""
    return json_response(await concerns.counts(session, actor))


@router.get(
    "/{concern_id}",
    name="read",
    response_model=ConcernOut,
    response_model_exclude_unset=True,
)
async def read_concern(
    concern_id: uuid.UUID, database: DatabaseDep, actor: CurrentActor
) -> Response:
    return concern_response(await concerns.read(database.direct, actor, concern_id))


@router.patch(
    "/{concern_id}",
    name="edit",
    response_model=ConcernOut,
    response_model_exclude_unset=True,
)
@documented(raises=(ProblemCode.CONFLICT,))
async def edit_concern(
    concern_id: uuid.UUID,
    body: ConcernUpdate,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    return concern_response(await concerns.update(session, actor, concern_id, if_match, body))


@router.post(
    "/{concern_id}/transitions",
    name="move",
    response_model=ConcernOut,
    response_model_exclude_unset=True,
)
@documented(raises=(ProblemCode.NOT_A_MOVE, ProblemCode.CONFLICT))
async def move_concern(
    concern_id: uuid.UUID,
    body: ConcernTransition,
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Move the concern through its state machine. 409 lists the moves from here (`allowed`)."""
    return concern_response(
        await concerns.transition(session, settings, actor, concern_id, if_match, body)
    )


@router.get("/{concern_id}/notes", response_model=list[NoteOut])
async def list_notes(concern_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> object:
    return await notes.list_notes(session, actor, concern_id)


@router.post("/{concern_id}/notes", status_code=status.HTTP_201_CREATED, response_model=NoteOut)
async def add_note(
    concern_id: uuid.UUID,
    body: NoteCreate,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    key: IdempotencyKey = None,
) -> Response:
    async def work() -> NoteOut:
        return NoteOut.model_validate(await notes.add_note(session, actor, concern_id, body))

    return await idempotent(session, request, actor, key, body, work, status_code=201)


@router.get("/{concern_id}/responses", response_model=list[ResponseOut])
async def list_responses(concern_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> object:
    return await responses.list_responses(session, actor, concern_id)


@router.post(
    "/{concern_id}/responses",
    name="add_response",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseOut,
)
@documented(raises=(ProblemCode.CONFLICT,))
async def post_response(
    concern_id: uuid.UUID,
    body: ResponseCreate,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    key: IdempotencyKey = None,
) -> Response:
    """The referred department's answer; it moves the concern from `referred` to `responded`."""

    async def work() -> ResponseOut:
        created = await responses.post_response(session, actor, concern_id, body)
        return ResponseOut.model_validate(created)

    return await idempotent(session, request, actor, key, body, work, status_code=201)


@router.get(
    "/{concern_id}/events",
    name="events",
    response_model=list[ConcernEventOut],
    response_model_exclude_unset=True,
)
async def concern_events(concern_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> object:
    """The concern's history from the audit log. Residents see status changes and public
    notes; officers see status changes and allegations."""
    return await timeline.concern_events(session, actor, concern_id)


@router.get("/{concern_id}/allegations", response_model=list[AllegationOut])
async def list_allegations(
    concern_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> object:
    return await allegations.list_allegations(session, actor, concern_id)


@router.post(
    "/{concern_id}/allegations", status_code=status.HTTP_201_CREATED, response_model=AllegationOut
)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def add_allegation(
    concern_id: uuid.UUID, body: AllegationCreate, session: SessionDep, actor: CurrentActor
) -> Response:
    """Adds to the concern's representation: `Parent-ETag` is the concern's new ETag."""
    added = await allegations.add_allegation(session, actor, concern_id, body)
    headers = parent_etag(session, EntityType.CONCERN, concern_id)
    return json_response(added, 201, headers=headers)


@router.patch("/{concern_id}/allegations/{allegation_id}", response_model=AllegationOut)
@documented(raises=(ProblemCode.CONFLICT,), parent_etag=True)
async def change_allegation(
    concern_id: uuid.UUID,
    allegation_id: uuid.UUID,
    body: AllegationUpdate,
    session: SessionDep,
    actor: CurrentActor,
) -> Response:
    """Correct an allegation or record its `finding`; `Parent-ETag` is the concern's new ETag."""
    changed = await allegations.change_allegation(session, actor, concern_id, allegation_id, body)
    headers = parent_etag(session, EntityType.CONCERN, concern_id)
    return json_response(changed, headers=headers)


@router.get(
    "/{concern_id}/allegations/{allegation_id}/officer-candidates",
    name="officer_candidates",
    response_model=list[OfficerCandidate],
)
async def officer_candidates(
    concern_id: uuid.UUID, allegation_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """Up to 10 roster officers the allegation likely names, best first (commissioners): by
    the badge and name the resident typed and the department the concern was referred to.
    Link one with `PATCH .../allegations/{allegation_id}` `{officer_id}`."""
    found = await allegations.officer_candidates(session, actor, concern_id, allegation_id)
    return json_response(found)


TrackingCode = Annotated[
    str, Path(min_length=12, max_length=30, description="e.g. OC-7F3K-9QXM-2DPA"), Storable
]
TRACKING = [Depends(limited_by_ip(RateLimit.TRACKING_IP))]


@public.get("/concerns/{tracking_code}", response_model=PublicConcernStatus, dependencies=TRACKING)
async def concern_status(tracking_code: TrackingCode, session: SessionDep) -> object:
    """Where a concern stands, for whoever holds its tracking code (case-insensitive)."""
    return await timeline.public_status(session, tracking_code)


@public.post(
    "/concerns/{tracking_code}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicNote,
    dependencies=TRACKING,
)
async def add_information(
    tracking_code: TrackingCode, body: PublicNoteCreate, session: SessionDep
) -> object:
    """Add information to a concern as its submitter (for anonymous submitters especially)."""
    return await notes.add_note_by_code(session, tracking_code, body.body)
