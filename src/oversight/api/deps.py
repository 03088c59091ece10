"""Dependencies shared by the routers: settings, the unit of work, the caller, permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import OAuth2PasswordBearer
from pydantic import AfterValidator, BaseModel
from pydantic_core import to_json, to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.config import Settings
from oversight.db import Database, Reads
from oversight.domain.roles import Actor, Permission, may
from oversight.errors import Forbidden
from oversight.pagination import MAX_LIMIT
from oversight.ratelimit import RateLimit, RateLimiter, client_ip
from oversight.schemas import storable
from oversight.services import auth, idempotency

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_settings(request: Request) -> Settings:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, on every request.
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    # GET and HEAD change nothing (no route writes on them), so they need no transaction.
    reads = Reads.STATEMENTS if request.method in {"GET", "HEAD"} else None
    async with database.unit_of_work(reads) as session:
        yield session


async def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]


def limited_by_ip(limit: RateLimit) -> Callable[..., Coroutine[Any, Any, None]]:
    """A dependency counting the request against ``limit`` for the caller's IP (429 if over);
    list it before the session, so that a refused request costs no database work."""

    async def dependency(request: Request, limiter: LimiterDep) -> None:
        await limiter.hit(limit, client_ip(request))

    return dependency


# scope="function": the transaction commits before the response is sent, so a client never
# sees a 2xx for a write that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
TokenDep = Annotated[str | None, Depends(_bearer)]


async def current_actor(session: SessionDep, settings: SettingsDep, token: TokenDep) -> Actor:
    return await auth.resolve_actor(session, settings, token)


async def optional_actor(
    session: SessionDep, settings: SettingsDep, token: TokenDep
) -> Actor | None:
    """The caller if a token was sent; anonymous otherwise. A bad token is still a 401."""
    return None if token is None else await auth.resolve_actor(session, settings, token)


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def require(permission: Permission) -> Callable[..., Coroutine[Any, Any, Actor]]:
    async def dependency(actor: CurrentActor) -> Actor:
        if not may(actor.role, permission):
            raise Forbidden(f"Your role may not {permission.value.replace('_', ' ')}.")
        return actor

    return dependency


#: For a str parameter: refuse NUL and unpaired surrogates (422), which no column can hold.
Storable = AfterValidator(storable)

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Cursor = Annotated[
    str | None,
    Query(max_length=512, description="`next_cursor` of the previous page."),
    Storable,
]


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key again to get the first answer instead of a duplicate.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=100, description='The ETag you last read, e.g. `"3"`.'),
]


async def idempotent(
    session: AsyncSession,
    request: Request,
    actor: Actor | None,
    key: str | None,
    body: BaseModel,
    work: Callable[[], Awaitable[BaseModel | dict[str, Any]]],
    *,
    status_code: int,
    etag: Callable[[Any], str | None] = lambda _: None,
) -> JSONResponse:
    """Run ``work`` once per Idempotency-Key; a repeat gets the first answer, marked replayed."""
    claim = None
    if key is not None:
        request_print = idempotency.fingerprint(
            request.method, request.url.path, body.model_dump(mode="json", exclude_unset=True)
        )
        claim = idempotency.claim_for(actor, key, request_print)
        replay = await idempotency.begin(session, claim)
        if replay is not None:
            headers = {"Idempotent-Replayed": "true"}
            if tag := etag(replay.body):
                headers["ETag"] = tag
            return JSONResponse(replay.body, status_code=replay.status_code, headers=headers)
    outcome = await work()
    result = (
        outcome.model_dump(mode="json", exclude_unset=True)
        if isinstance(outcome, BaseModel)
        else to_jsonable_python(outcome)
    )
    if claim is not None:
        await idempotency.remember(session, claim, status_code, result)
    tag = etag(result)
    return JSONResponse(result, status_code=status_code, headers={"ETag": tag} if tag else None)


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Serialize once, in pydantic's core: a model without the fields it left unset, or plain
    values (UUIDs and datetimes as the schemas write them).

    Returning a model to FastAPI would dump it, validate the dump against the response model
    and encode it again: on the triage page that was most of the request's time.
    """
    body = (
        content.model_dump_json(exclude_unset=True)
        if isinstance(content, BaseModel)
        else to_json(content)
    )
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")
