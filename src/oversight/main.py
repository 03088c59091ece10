"""The application factory: routers, error handlers and middleware; no logic."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

import oversight.wiring  # noqa: F401  (registers the areas' handlers)
from oversight import __version__
from oversight.accounts import auth_routes as auth
from oversight.accounts import directory_routes as directory
from oversight.accounts import routes as users
from oversight.audit import routes as audit
from oversight.budget import routes as budget
from oversight.concerns import discipline_routes as discipline
from oversight.concerns import routes as concerns
from oversight.core.config import Settings, get_settings
from oversight.core.db import Database
from oversight.core.errors import document_problems
from oversight.core.http import docs, health, problems
from oversight.core.http.caching import PublicCaching, make_cache
from oversight.core.http.documentation import document_operations
from oversight.core.http.error_handlers import install_error_handlers
from oversight.core.http.middleware import AccessLog, EdgeMiddleware
from oversight.core.http.replicas import ReplicaRouting
from oversight.core.ratelimit import RateLimiter
from oversight.evidence import routes as evidence
from oversight.evidence import upload
from oversight.evidence.store import open_store
from oversight.intervention import routes as intervention
from oversight.meetings import routes as meetings
from oversight.notifications import routes as webhooks
from oversight.officers import routes as officers
from oversight.open311 import routes as open311
from oversight.reports import routes as reports
from oversight.resolutions import routes as resolutions
from oversight.site import account_pages, concern_pages, record_pages, voice_pages
from oversight.site import pages as site_pages
from oversight.site.i18n import STATIC
from oversight.voice import comment_routes as comments
from oversight.voice import proposal_routes as proposals

API_PREFIX = "/api/v1"


def mount_flat(app: FastAPI, router: APIRouter, prefix: str) -> None:
    """Add ``router``'s routes to the app itself, under ``prefix``.

    ``include_router`` keeps each router as a nested branch that FastAPI walks route by route,
    with bookkeeping at every step, on every request: with ~90 routes that was a third of the
    CPU of a request as small as ``/healthz`` (bench/profile.py). Routes on the app itself are
    matched by one regular expression each.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only API routes are mounted, not {route!r}")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            openapi_extra=route.openapi_extra,
        )


def operation_id(route: APIRoute) -> str:
    """``<tag>_<name>`` (``concerns_move``, ``public_meetings``): what a generated client calls
    the operation. A route's name is its function's unless the decorator gives a shorter one."""
    return f"{route.tags[0]}_{route.name}"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = Database(settings)
    access = AccessLog(sys.stdout) if settings.access_log else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What exists now (modules, the app, its routes and schemas) lives as long as the
        # process: move it out of the collector's sight, or every full collection walks it all
        # again (a fifth of `users/me`'s CPU under load; A/B, wrk: 1.28x; bench/README.md).
        gc.collect()
        gc.freeze()
        if not settings.worker_in_process:
            yield
            await shut_down()
            return
        # The outbox worker in this process (the single-process SQLite default of `make run`).
        from oversight.notifications.worker import Worker

        sender, stop = Worker(settings, database), asyncio.Event()
        task = asyncio.create_task(sender.run(stop))
        yield
        stop.set()
        await task
        await sender.close()
        await shut_down()

    async def shut_down() -> None:
        if access is not None:
            access.flush()
        await database.dispose()

    app = FastAPI(
        title="Oversight API",
        version=__version__,
        summary="Resident concerns, police responses, commission meetings, votes and "
        "recommendations, an audit log and public transparency reports.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.limiter = RateLimiter(settings)
    app.state.cache = make_cache(settings.cache_url, settings.summary_cache_seconds)
    app.state.store = open_store(settings)
    install_error_handlers(app)
    app.state.not_found_page = site_pages.not_found
    open311.install(app)

    for router in (
        health.router,
        *(module.router for module in (auth, users, directory, concerns, meetings)),
        *(module.router for module in (resolutions, comments, proposals, audit)),
        webhooks.router,
        webhooks.messages_router,
        discipline.router,
        budget.router,
        officers.router,
        intervention.router,
        evidence.router,
        open311.router,
        open311.keys,
        *(area.public for area in (concerns, meetings, reports, webhooks, budget, officers)),
        evidence.public,
        *(area.public for area in (directory, audit, resolutions, comments, proposals)),
        problems.router,
    ):
        # /healthz and /readyz for probes; /problems/{code}, what a problem's ``type`` names.
        prefix = "" if router in (health.router, problems.router, open311.router) else API_PREFIX
        mount_flat(app, router, prefix)

    docs.install(app)
    # The public site at /: its pages (HTML, not in the OpenAPI document) and its style sheet.
    mount_flat(app, site_pages.router, "")
    mount_flat(app, concern_pages.router, "")
    mount_flat(app, account_pages.router, "")
    mount_flat(app, voice_pages.router, "")
    mount_flat(app, record_pages.router, "")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
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
                "If-None-Match",
                "X-Request-ID",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "Parent-ETag",
                "X-Request-ID",
                "Retry-After",
                "Idempotent-Replayed",
                "Oversight-Checkpoint",
            ],
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            documented = document_operations(app, document_problems(FastAPI.openapi(app)))
            app.openapi_schema = open311.document(documented)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(PublicCaching, database=database)
    app.add_middleware(ReplicaRouting, database=database)
    app.add_middleware(
        EdgeMiddleware,
        max_bytes=settings.max_body_bytes,
        hsts=settings.env == "production",
        access=access,
        upload_max_bytes=upload.body_limit(settings),
    )
    return app
