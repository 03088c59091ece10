"""The application factory: routers, error handlers and middleware; no logic."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight import __version__
from oversight.api import (
    audit,
    auth,
    concerns,
    directory,
    health,
    meetings,
    public,
    resolutions,
    users,
)
from oversight.config import Settings, get_settings
from oversight.db import Database
from oversight.errors import document_problems, install_error_handlers, problem
from oversight.ratelimit import RateLimiter

API_PREFIX = "/api/v1"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")


#: OWASP's recommended headers for a JSON API. The interactive docs load Swagger UI's script
#: and styles, so they get no Content-Security-Policy.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=63072000; includeSubDomains"


class ResponseHeadersMiddleware:
    """On every response: ``X-Request-ID`` (a sane one from the client echoed, else a new one),
    the security headers, and ``Cache-Control: no-store`` when the request was authenticated."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
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
        docs = scope["path"] in DOCS_PATHS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                out.update(SECURITY_HEADERS)
                if not docs:
                    out.setdefault("Content-Security-Policy", API_CSP)  # unless a route set one
                if self.hsts:
                    out["Strict-Transport-Security"] = HSTS
                if private:
                    out["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """413 for bodies over the limit: at once from ``Content-Length``, else while streaming.

    Raising Starlette's HTTPException from ``receive`` lets the app's own handler answer, so
    the 413 is a problem document like every other error.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = problem(
                scope["path"], 413, detail=f"The request body exceeds {self.max_bytes} bytes."
            )
            await response(scope, receive, send)
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

        await self.app(scope, counting_receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = Database(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await database.dispose()

    app = FastAPI(
        title="Oversight API",
        version=__version__,
        summary="Resident concerns, police responses, commission meetings, votes and "
        "recommendations, an audit log and public transparency reports.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.limiter = RateLimiter(settings)
    install_error_handlers(app)

    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, users, directory, concerns, meetings, resolutions, audit, public):
        api.include_router(module.router)
    api.include_router(directory.public)
    api.include_router(audit.public)
    api.include_router(resolutions.public)
    app.include_router(api)
    app.include_router(health.router)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=["ETag", "X-Request-ID", "Retry-After", "Idempotent-Replayed"],
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ResponseHeadersMiddleware, hsts=settings.env == "production")
    return app
