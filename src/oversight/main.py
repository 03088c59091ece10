"""The application factory: routers, error handlers and middleware; no logic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from oversight import __version__
from oversight.api import (
    audit,
    auth,
    comments,
    concerns,
    directory,
    health,
    meetings,
    proposals,
    public,
    resolutions,
    users,
)
from oversight.api.middleware import BodyLimitMiddleware, ResponseHeadersMiddleware
from oversight.config import Settings, get_settings
from oversight.db import Database
from oversight.errors import document_problems, install_error_handlers
from oversight.ratelimit import RateLimiter

API_PREFIX = "/api/v1"


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
    for module in (
        auth,
        users,
        directory,
        concerns,
        meetings,
        resolutions,
        comments,
        proposals,
        audit,
        public,
    ):
        api.include_router(module.router)
    for area in (directory, audit, resolutions, comments, proposals):
        api.include_router(area.public)
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
