"""Public surfaces are cacheable (API.md): validators and freshness for every public GET, and
a shared cache for the transparency summary.

Every change to the public record writes an audit event, so the audit head's ``seq`` names the
state of the record: a public answer's strong ``ETag`` is a hash of that ``seq``, the UTC date
(answers with a default period move with the calendar), the path, the query and, where the
answer is negotiated, ``Accept``. ``If-None-Match`` with the current tag is a 304 after one
indexed read of the head, before any route runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

from sqlalchemy import column, func, select, table
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight.core.db import Database
from oversight.core.errors import answer
from oversight.core.models import AuditEvent

if TYPE_CHECKING:
    from coredis.tokens import PureToken

PUBLIC_PREFIXES = ("/api/v1/public/", "/open311/v2/")
#: The status view by tracking code and an unsubscribe link are capability URLs: never stored.
PRIVATE_PREFIXES = ("/api/v1/public/concerns/", "/api/v1/public/unsubscribe")
#: Answers whose route sets its own validator and freshness and handles ``If-None-Match``:
#: stored files (content-addressed, immutable) and the verifiable log's checkpoints, key and
#: proofs (which change with a checkpoint, not with an audit event).
OWN_VALIDATORS = (
    "/api/v1/public/attachments/",
    "/api/v1/public/audit/checkpoint",
    "/api/v1/public/audit/key",
    "/api/v1/public/audit/proofs/",
)
#: Answers negotiated by ``Accept`` as well as by the query.
NEGOTIATED = frozenset({"/api/v1/public/reports/summary"})
PUBLIC_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
_CHECKPOINTS = table("audit_checkpoints", column("tree_size"))  # the audit area's table
#: The state every public answer describes: the audit log's head, and the size of its latest
#: signed checkpoint (which reports name, and which changes without a new event).
_STATE = select(
    func.coalesce(select(func.max(AuditEvent.seq)).scalar_subquery(), 0),
    func.coalesce(select(func.max(_CHECKPOINTS.c.tree_size)).scalar_subquery(), 0),
)


def public_tag(state: str, path: str, query: str, accept: str) -> str:
    """The strong ETag of a public answer describing the record in ``state`` (``public_state``)."""
    variant = accept if path in NEGOTIATED else ""
    today = datetime.now(UTC).date().isoformat()
    digest = hashlib.sha256(f"{state}|{today}|{path}|{query}|{variant}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def state_of(seq: int, signed_size: int) -> str:
    return f"{seq}.{signed_size}"


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 13.1.2: a listed tag (weak comparison) equals ``tag``. ``*`` ("any current
    representation") is left to the route: only it knows whether the resource exists."""
    if not if_none_match:
        return False
    listed = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return tag in listed


async def public_state(database: Database) -> str:
    """``state_of`` the audit log's head and its latest checkpoint's size, read now on the
    database answering the request (the replica's state where it answers)."""
    async with database.reading() as connection:
        seq, signed_size = (await connection.execute(_STATE)).one()
        return state_of(int(seq), int(signed_size))


class PublicCaching:
    """On public GETs: 304 for a current ``If-None-Match``; on a 200, ``ETag`` (unless the route
    set one: the summary tags the state its cached figures describe), ``Cache-Control`` and
    ``Vary: Accept`` where negotiated. The status view by tracking code: ``private, no-store``."""

    def __init__(self, app: ASGIApp, *, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(PUBLIC_PREFIXES)
            or path.startswith(OWN_VALIDATORS)
        ):
            await self.app(scope, receive, send)
            return
        if path.startswith(PRIVATE_PREFIXES):
            private = {"Cache-Control": "private, no-store"}
            await self.app(scope, receive, _adding(send, private, statuses=None))
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        try:
            state = await public_state(self.database)
        except (SQLAlchemyError, OSError):
            # This layer is outside the app's handlers: answer as they would, at once.
            unavailable = answer(
                Request(scope),
                503,
                detail="The database is unavailable; try again shortly.",
                headers={"Retry-After": "2"},
            )
            await unavailable(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = scope.get("query_string", b"").decode("latin-1")
        tag = public_tag(state, path, query, headers.get("accept", ""))
        fresh = {"Cache-Control": PUBLIC_CACHE_CONTROL}
        if path in NEGOTIATED:
            fresh["Vary"] = "Accept"
        if matches(headers.get("if-none-match"), tag):
            not_modified = [(k.lower().encode(), v.encode()) for k, v in fresh.items()]
            not_modified.append((b"etag", tag.encode()))
            await send({"type": "http.response.start", "status": 304, "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, _adding(send, fresh, etag=tag))


def _adding(
    send: Send,
    extra: dict[str, str],
    *,
    etag: str | None = None,
    statuses: frozenset[int] | None = frozenset({200, 304}),
) -> Send:
    """``send`` adding ``extra`` (and ``etag`` unless the route set one) to answers with one of
    ``statuses`` (``None``: every answer)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and (
            statuses is None or message["status"] in statuses
        ):
            out = MutableHeaders(scope=message)
            out.update(extra)
            if etag is not None:
                out.setdefault("ETag", etag)
        await send(message)

    return sending


Compute = Callable[[], Awaitable[bytes]]


class Cache(Protocol):
    async def get_or_compute(self, key: str, compute: Compute) -> bytes: ...


class MemoryCache:
    """Entries kept for ``seconds`` in this process; concurrent misses for one key share one
    computation (the first caller's), however many requests arrive together."""

    MAX_ENTRIES = 512

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._computing: dict[str, asyncio.Future[bytes]] = {}

    async def get_or_compute(self, key: str, compute: Compute) -> bytes:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        if (running := self._computing.get(key)) is not None:
            return await asyncio.shield(running)
        running = asyncio.get_running_loop().create_future()
        self._computing[key] = running
        try:
            value = await compute()
        except BaseException as exc:
            running.set_exception(exc)
            running.exception()  # retrieved: no "never retrieved" warning if nobody waited
            raise
        finally:
            del self._computing[key]
        running.set_result(value)
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
        self._entries[key] = (time.monotonic() + self.seconds, value)
        return value


class RedisCache:
    """Entries shared by every process through Redis; one process computes a missing entry
    (the holder of a short lock) while the others wait for it, in front of which each process
    shares its own concurrent misses (``MemoryCache`` with no lifetime of its own)."""

    LOCK_SECONDS = 30
    POLL_SECONDS = 0.05

    def __init__(self, url: str, seconds: float) -> None:
        import coredis  # a dependency of limits[async-redis], which the rate limiter uses
        from coredis.tokens import PureToken

        self.seconds = seconds
        self.redis = coredis.Redis.from_url(url)
        self.only_if_absent: Literal[PureToken.NX] = PureToken.NX
        self._local = MemoryCache(0)

    async def get_or_compute(self, key: str, compute: Compute) -> bytes:
        return await self._local.get_or_compute(key, lambda: self._shared(key, compute))

    async def _shared(self, key: str, compute: Compute) -> bytes:
        name, lock = f"oversight:cache:{key}", f"oversight:cache:{key}:lock"
        deadline = time.monotonic() + self.LOCK_SECONDS
        while time.monotonic() < deadline:
            if (value := await self.redis.get(name)) is not None:
                return bytes(value)
            if await self.redis.set(
                lock, b"1", condition=self.only_if_absent, ex=self.LOCK_SECONDS
            ):
                try:
                    value = await compute()
                    await self.redis.set(name, value, px=int(self.seconds * 1000))
                    return value
                finally:
                    await self.redis.delete([lock])
            await asyncio.sleep(self.POLL_SECONDS)
        return await compute()  # the lock holder died: compute rather than wait longer


def make_cache(url: str, seconds: float) -> Cache:
    return MemoryCache(seconds) if url.startswith("memory://") else RedisCache(url, seconds)
