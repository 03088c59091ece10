"""An attachment's bytes as an HTTP answer: streamed from the store, with its digest (RFC 9530
``Repr-Digest``), a strong ``ETag`` (the hash), ``Range`` (206), ``Content-Disposition:
attachment`` and a sandboxing CSP (``nosniff`` is the edge's, on every answer)."""

from __future__ import annotations

import base64
from urllib.parse import quote

from obstore.exceptions import BaseError
from starlette.responses import Response, StreamingResponse

from oversight.core.errors import RangeNotSatisfiable, ServiceUnavailable
from oversight.evidence.models import Attachment
from oversight.evidence.ranges import Unsatisfiable, byte_range
from oversight.evidence.store import Missing, Store

SANDBOX = "sandbox; default-src 'none'"
IMMUTABLE = "public, max-age=31536000, immutable"


def disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one (RFC 6266, RFC 8187)."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def headers_of(row: Attachment) -> dict[str, str]:
    digest = base64.b64encode(bytes.fromhex(row.sha256)).decode()
    return {
        "ETag": f'"{row.sha256}"',
        "Repr-Digest": f"sha-256=:{digest}:",
        "Accept-Ranges": "bytes",
        "Content-Disposition": disposition(row.filename),
        "Content-Security-Policy": SANDBOX,
    }


def not_modified(row: Attachment, if_none_match: str | None) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or f'"{row.sha256}"' in tags


async def content(
    store: Store,
    row: Attachment,
    range_header: str | None,
    if_none_match: str | None = None,
    cache_control: str | None = None,
) -> Response:
    headers = headers_of(row)
    if cache_control is not None:
        headers["Cache-Control"] = cache_control
    if not_modified(row, if_none_match):
        return Response(status_code=304, headers=headers)
    try:
        chosen = byte_range(range_header, row.size)
    except Unsatisfiable as exc:
        raise RangeNotSatisfiable(
            f"The file has {row.size} bytes.", headers={"Content-Range": f"bytes */{row.size}"}
        ) from exc
    start, end = chosen if chosen is not None else (0, row.size)
    stream = store.read(row.sha256, start, None if chosen is None else end)
    try:
        first = await anext(stream, b"")
    except Missing as exc:
        raise ServiceUnavailable("The file's bytes are missing from the store.") from exc
    except (OSError, BaseError) as exc:
        raise ServiceUnavailable("The attachment store is unavailable.") from exc

    async def body() -> object:
        yield first
        async for chunk in stream:
            yield chunk

    headers["Content-Length"] = str(end - start)
    status = 200
    if chosen is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{row.size}"
    return StreamingResponse(body(), status_code=status, headers=headers, media_type=row.media_type)  # type: ignore[arg-type]
