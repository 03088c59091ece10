"""How routes answer: serialized once, and replayed for a repeated Idempotency-Key."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from pydantic_core import to_json, to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core import idempotency
from oversight.core.roles import Actor


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
    location: Callable[[Any], str | None] = lambda _: None,
) -> Response:
    """Run ``work`` once per Idempotency-Key; a repeat gets the first answer, marked replayed.
    ``etag`` and ``location`` give those headers from the answer (fresh or replayed)."""
    claim = None
    if key is not None:
        request_print = idempotency.fingerprint(
            request.method, request.url.path, body.model_dump(mode="json", exclude_unset=True)
        )
        claim = idempotency.claim_for(actor, key, request_print)
        replay = await idempotency.begin(session, claim)
        if replay is not None:
            headers = {"Idempotent-Replayed": "true", **_headers(replay.body, etag, location)}
            return JSONResponse(replay.body, status_code=replay.status_code, headers=headers)
    outcome = await work()
    result = (
        outcome.model_dump(mode="json", exclude_unset=True)
        if isinstance(outcome, BaseModel)
        else outcome
    )
    if claim is not None:
        await idempotency.remember(session, claim, status_code, to_jsonable_python(result))
    return json_response(result, status_code, headers=_headers(result, etag, location))


def _headers(
    result: Any, etag: Callable[[Any], str | None], location: Callable[[Any], str | None]
) -> dict[str, str]:
    found = {"ETag": etag(result), "Location": location(result)}
    return {name: value for name, value in found.items() if value}


def created_at(request: Request, resource_id: object) -> str:
    """The ``Location`` of a resource just created by a POST to its collection."""
    return f"{request.url.path}/{resource_id}"


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


def tagged(
    content: Any, version: int, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``json_response`` with the resource's version as its ETag (the next If-Match)."""
    return json_response(content, status_code, headers={"ETag": f'"{version}"', **(headers or {})})


def download(filename: str, *, inline: bool = True) -> dict[str, str]:
    """``Content-Disposition`` for a file a browser may show (``inline``) or save."""
    return {"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"'}


#: How much of a streamed text is sent at once.
CHUNK_BYTES = 64 * 1024


async def in_chunks(lines: AsyncGenerator[str]) -> AsyncIterator[bytes]:
    """``lines`` sent in chunks of about ``CHUNK_BYTES``, letting the other requests run between
    two: a line a send costs a download most of its time, and a long export formatted without
    a pause holds every other request of the process for its length (``bench/soak.py``)."""
    pending: list[str] = []
    size = 0
    # Closed with this one, wherever it stops (a client gone): its unit of work ends at once.
    async with contextlib.aclosing(lines):
        async for text in lines:
            pending.append(text)
            size += len(text)
            if size >= CHUNK_BYTES:
                yield "".join(pending).encode()
                pending, size = [], 0
                await asyncio.sleep(0)
    if pending:
        yield "".join(pending).encode()
