"""The exception handlers that turn every error into a problem document
(``errors.answer``): the service's own ``OversightError``, the framework's validation and
routing errors, database outages (503 with ``Retry-After``) and anything unexpected (500,
logged), so that no client ever sees a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from oversight.core.errors import OversightError, answer

logger = logging.getLogger(__name__)


E = TypeVar("E", bound=Exception)


def _expect(exc: Exception, kind: type[E]) -> E:
    """The exception a handler was registered for (Starlette types them all ``Exception``)."""
    if not isinstance(exc, kind):
        raise TypeError(f"{type(exc).__name__} reached the handler for {kind.__name__}") from exc
    return exc


def _loc(raw: Sequence[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in raw]


async def _oversight_error(request: Request, exc: Exception) -> Response:
    exc = _expect(exc, OversightError)
    return answer(
        request,
        exc.status,
        title=exc.title,
        detail=exc.detail,
        code=exc.code,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    exc = _expect(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return answer(request, 400, detail="The request body is not valid JSON.")
    return answer(
        request,
        422,
        title="Unprocessable Content",
        detail="The request does not match the expected shape.",
        extra={"errors": [{"loc": _loc(e.get("loc", ())), "msg": _message(e)} for e in errors]},
    )


def _message(error: Mapping[str, Any]) -> str:
    """pydantic's message, without the "Value error, " it puts before our validators' own."""
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ") if error.get("type") == "value_error" else message


async def _http_error(request: Request, exc: Exception) -> Response:
    exc = _expect(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names the methods of the first route with this path; a path served by
        # several routes (GET and POST on a collection) allows them all.
        path = request.url.path
        allowed = {
            method
            for route in request.app.router.routes
            if (regex := getattr(route, "path_regex", None)) and regex.match(path)
            for method in getattr(route, "methods", None) or ()
        }
        headers["Allow"] = ", ".join(sorted(allowed))
    page = getattr(request.app.state, "not_found_page", None)
    if exc.status_code == 404 and page is not None and not request.url.path.startswith(MACHINES):
        # No route: outside the API, a person followed a link; they get the site's page.
        found: Response = page(request)
        return found
    return answer(request, exc.status_code, detail=detail, headers=headers)


#: PostgreSQL's "try again" errors, which not every driver raises as OperationalError (asyncpg:
#: a plain DBAPI Error): statement timeout, server shutting down, cannot connect now.
RETRYABLE_SQLSTATES = frozenset({"57014", "57P01", "57P02", "57P03"})


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("database unavailable: %s", type(exc).__name__)
    return answer(
        request,
        503,
        detail="The database is unavailable; try again shortly.",
        headers={"Retry-After": "2"},
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    exc = _expect(exc, DBAPIError)
    if isinstance(exc, IntegrityError):
        # A uniqueness race the service's own check could not see (two requests at once).
        return answer(request, 409, detail="The change conflicts with existing data.")
    # Connection refused, dropped, or a statement timeout: the client may retry.
    if (
        exc.connection_invalidated
        or isinstance(exc, OperationalError)
        or getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
    ):
        return await _database_unavailable(request, exc)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception(
        "unhandled error on %s %s (request %s)",
        request.method,
        request.url.path,
        request.scope.get("state", {}).get("request_id", "-"),
        exc_info=exc,
    )
    return answer(request, 500, detail="An unexpected error occurred.")


#: Paths for programs: an unknown one is a problem document, never the site's page.
MACHINES = ("/api/", "/open311/", "/problems/", "/static/")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OversightError, _oversight_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    # asyncpg raises the socket's own error when it cannot reach the database (refused,
    # unreachable, timed out: all OSError); no request does other network or file I/O.
    app.add_exception_handler(OSError, _database_unavailable)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
