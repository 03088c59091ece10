"""Dependencies shared by the routers: settings, the unit of work, the caller, rate limits,
and the common parameters (pages, If-Match, Idempotency-Key)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.security import OAuth2PasswordBearer
from pydantic import AfterValidator
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.engines import Reads
from oversight.core.http.caching import Cache
from oversight.core.pagination import MAX_LIMIT
from oversight.core.ratelimit import RateLimit, RateLimiter, client_ip
from oversight.core.schemas import storable

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_settings(request: Request) -> Settings:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, on every request.
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    """For a route that opens its own unit of work (a snapshot read, a streamed answer)."""
    database: Database = request.app.state.database
    return database


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


async def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(get_cache)]
DatabaseDep = Annotated[Database, Depends(get_database)]
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

#: The dependencies that take the caller from a bearer token (``accounts.deps`` adds them): the
#: API's documentation lists 401 for a route that needs one, and for one that may have one.
SIGN_IN_REQUIRED: set[Callable[..., Any]] = set()
SIGN_IN_OPTIONAL: set[Callable[..., Any]] = set()


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
