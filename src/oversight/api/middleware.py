"""ASGI middleware around every request: response headers (request id, security, no-store)
and the request body limit."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight.errors import answer

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


class EdgeMiddleware:
    """Around every request, in one layer (each ASGI layer costs every request a call and a
    wrapped ``send``):

    - 413 for a body over the limit: at once from ``Content-Length``, else while streaming
      (raising Starlette's HTTPException from ``receive`` lets the app's own handler answer,
      so the 413 is a problem document like every other error);
    - on every response, ``X-Request-ID`` (a sane one from the client echoed, else a new one),
      the security headers, and ``Cache-Control: no-store`` when the request was authenticated.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, hsts: bool) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        sent = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if _CLIENT_REQUEST_ID.match(sent) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        private = b"authorization" in headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                out.update(SECURITY_HEADERS)
                out.setdefault("Content-Security-Policy", API_CSP)  # unless a route set one
                if self.hsts:
                    out["Strict-Transport-Security"] = HSTS
                if private:
                    out["Cache-Control"] = "no-store"
            await send(message)

        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = answer(
                Request(scope), 413, detail=f"The request body exceeds {self.max_bytes} bytes."
            )
            await response(scope, receive, send_with_headers)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, f"The request body exceeds {self.max_bytes} bytes.")
            return message

        await self.app(scope, counting_receive, send_with_headers)
