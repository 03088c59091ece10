"""ASGI middleware around every request: response headers (request id, security, no-store)
and the request body limit."""

from __future__ import annotations

import asyncio
import os
import re
import select
import time
from typing import TextIO

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight.core.errors import answer

_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")


#: OWASP's recommended headers for a JSON API. The interactive docs and the HTML report set
#: their own Content-Security-Policy.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"
#: The paths whose POST is an upload, with a limit of its own: the API's attachments, and
#: the site's concern form (which may carry a file).
UPLOADS = ("/attachments", "/concerns/new")
#: What the access line names when no route matched, in place of the client's path.
UNMATCHED = "(no route)"


class AccessLog:
    """One line per request on a stream (``oversight serve``: standard output, instead of
    uvicorn's access log; ``--no-access-log`` turns it off): the time, the client, the
    method, the route's template (never the concrete path, which may hold a tracking code;
    never the query, which may hold an unsubscribe token), the status, the milliseconds and
    the request id.

    Written in batches, at most ``every`` seconds after a line (and at shutdown), in writes
    of whole lines of at most ``PIPE_BUF`` bytes, which several workers' writes to one pipe
    cannot split. Through ``logging``, a record, its formatting and a write per request were
    a fifth of ``/healthz``'s CPU (A/B, wrk: 1.26x without the line; bench/README.md).
    """

    def __init__(self, stream: TextIO, every: float = 0.5) -> None:
        self.stream = stream
        self.every = every
        self._lines: list[str] = []
        self._due = False
        self._second = -1
        self._stamp = ""

    def line(
        self, client: str, method: str, route: str, status: int, ms: float, request_id: str
    ) -> None:
        now = time.time()
        if int(now) != self._second:  # "2026-11-26 20:47:09", as logging's asctime writes it
            self._second = int(now)
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        millis = int(now * 1000) % 1000
        self._lines.append(
            f'{self._stamp},{millis:03d} {client} "{method} {route}" {status} {ms:.1f} ms '
            f"{request_id}\n"
        )
        if len(self._lines) >= 512:
            self.flush()
        elif not self._due:
            self._due = True
            asyncio.get_running_loop().call_later(self.every, self.flush)

    def flush(self) -> None:
        self._due = False
        chunk: list[str] = []
        size = 0
        for text in self._lines:
            if size + len(text) > select.PIPE_BUF and chunk:
                self.stream.write("".join(chunk))
                self.stream.flush()
                chunk, size = [], 0
            chunk.append(text)
            size += len(text)
        if chunk:
            self.stream.write("".join(chunk))
            self.stream.flush()
        self._lines.clear()


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


class EdgeMiddleware:
    """Around every request, in one layer (each ASGI layer costs every request a call and a
    wrapped ``send``):

    - 413 for a body over the limit: at once from ``Content-Length``, else while streaming
      (raising Starlette's HTTPException from ``receive`` lets the app's own handler answer,
      so the 413 is a problem document like every other error);
    - on every response, ``X-Request-ID`` (a sane one from the client echoed, else a new one),
      the security headers, and ``Cache-Control: no-store`` when the request was authenticated:
      set in one pass over the response's headers, from byte strings made at start-up;
    - the access line (``access``), if on.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        hsts: bool,
        access: AccessLog | None,
        upload_max_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.access = access
        self.max_bytes = max_bytes
        #: The limit of an upload (``POST .../attachments``), streamed by its route, which
        #: refuses a file over its own limit: this one bounds the multipart body around it.
        self.upload_max_bytes = upload_max_bytes or max_bytes
        fixed = SECURITY_HEADERS | ({"Strict-Transport-Security": HSTS} if hsts else {})
        self.fixed = _raw(fixed)
        #: Names this layer sets, replacing what the route set (``Cache-Control`` only on an
        #: authenticated request's answer).
        self.replaced = frozenset(name for name, _ in self.fixed) | {b"x-request-id"}
        self.replaced_private = self.replaced | {b"cache-control"}
        self.csp = (b"content-security-policy", API_CSP.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        sent = headers.get(b"x-request-id", b"").decode("latin-1")
        # A client's own id is echoed when sane; else 128 random bits, as hex.
        request_id = sent if _CLIENT_REQUEST_ID.match(sent) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        private = b"authorization" in headers
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                replaced = self.replaced_private if private else self.replaced
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in replaced]
                if not any(name.lower() == self.csp[0] for name, _ in kept):
                    kept.append(self.csp)  # unless a route set its own
                kept += self.fixed
                kept.append((b"x-request-id", request_id.encode()))
                if private:
                    kept.append((b"cache-control", b"no-store"))
                message["headers"] = kept
            await send(message)

        upload = scope["method"] == "POST" and scope["path"].endswith(UPLOADS)
        max_bytes = self.upload_max_bytes if upload else self.max_bytes
        try:
            declared = headers.get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
                response = answer(
                    Request(scope), 413, detail=f"The request body exceeds {max_bytes} bytes."
                )
                await response(scope, receive, send_with_headers)
                return
            seen = 0

            async def counting_receive() -> Message:
                nonlocal seen
                message = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > max_bytes:
                        raise HTTPException(413, f"The request body exceeds {max_bytes} bytes.")
                return message

            await self.app(scope, counting_receive, send_with_headers)
        finally:
            if self.access is not None:
                route = scope.get("route")
                client = scope.get("client")
                self.access.line(
                    client[0] if client else "-",
                    scope["method"],
                    # No route matched (a 404, or the redirect of a trailing slash): the path
                    # is the client's and may hold a tracking code or a token.
                    getattr(route, "path_format", None) or UNMATCHED,
                    status or 500,
                    (time.perf_counter() - started) * 1000,
                    request_id,
                )
