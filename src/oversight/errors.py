"""Errors as RFC 9457 problem documents.

Services raise an ``OversightError`` subclass; one handler turns it into
``application/problem+json``. Framework errors (validation, unknown routes, methods) and
database outages are mapped to the same shape here, so no client ever sees a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class OversightError(Exception):
    status: int = 500
    title: str = "Internal Server Error"
    slug: str | None = None
    #: Commit the transaction's writes before answering (e.g. the audit of a failed sign-in).
    persist: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        persist: bool | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        if persist is not None:
            self.persist = persist


class Unauthorized(OversightError):
    status, title = 401, "Unauthorized"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class Forbidden(OversightError):
    status, title = 403, "Forbidden"


class NotFound(OversightError):
    status, title = 404, "Not Found"


class Conflict(OversightError):
    status, title = 409, "Conflict"


class PreconditionFailed(OversightError):
    status, title = 412, "Precondition Failed"


class Unprocessable(OversightError):
    status, title = 422, "Unprocessable Content"

    def __init__(self, detail: str, *, loc: Sequence[str | int] = ("body",), **kwargs: Any) -> None:
        extra = {"errors": [{"loc": list(loc), "msg": detail}]}
        super().__init__(detail, extra=extra, **kwargs)


class PreconditionRequired(OversightError):
    status, title = 428, "Precondition Required"


class ServiceUnavailable(OversightError):
    status, title = 503, "Service Unavailable"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("Retry-After", "2")


class TooManyRequests(OversightError):
    status, title = 429, "Too Many Requests"

    def __init__(self, retry_after: int, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers["Retry-After"] = str(retry_after)


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """An error (RFC 9457). Some carry more: ``errors`` (422), ``allowed`` (409 on a move),
    ``current_version`` (412)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    allowed: list[str] | None = None
    current_version: int | None = None


def document_problems(openapi: dict[str, Any]) -> dict[str, Any]:
    """Every operation answers errors as problem documents: say so in the OpenAPI document
    (FastAPI would describe its own validation error shape, which this API never sends)."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    definition = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(definition.pop("$defs", {}))
    schemas["Problem"] = definition
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in openapi.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {"description": "Invalid input.", "content": content}
            responses["default"] = {
                "description": "An error, as a problem document (RFC 9457).",
                "content": content,
            }
    return openapi


def problem(
    instance: str | None,
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or title or phrase,
        "instance": instance,
    }
    body.update(extra or {})
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


E = TypeVar("E", bound=Exception)


def _expect(exc: Exception, kind: type[E]) -> E:
    """The exception a handler was registered for (Starlette types them all ``Exception``)."""
    if not isinstance(exc, kind):
        raise TypeError(f"{type(exc).__name__} reached the handler for {kind.__name__}") from exc
    return exc


def _loc(raw: Sequence[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in raw]


async def _oversight_error(request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, OversightError)
    return problem(
        request.url.path,
        exc.status,
        title=exc.title,
        detail=exc.detail,
        slug=exc.slug,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem(request.url.path, 400, detail="The request body is not valid JSON.")
    return problem(
        request.url.path,
        422,
        title="Unprocessable Content",
        detail="The request does not match the expected shape.",
        extra={
            "errors": [{"loc": _loc(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors]
        },
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem(request.url.path, exc.status_code, detail=detail, headers=exc.headers)


#: PostgreSQL's "try again" errors, which not every driver raises as OperationalError (asyncpg:
#: a plain DBAPI Error): statement timeout, server shutting down, cannot connect now.
RETRYABLE_SQLSTATES = frozenset({"57014", "57P01", "57P02", "57P03"})


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable: %s", type(exc).__name__)
    return problem(
        request.url.path,
        503,
        detail="The database is unavailable; try again shortly.",
        headers={"Retry-After": "2"},
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, DBAPIError)
    if isinstance(exc, IntegrityError):
        # A uniqueness race the service's own check could not see (two requests at once).
        return problem(request.url.path, 409, detail="The change conflicts with existing data.")
    # Connection refused, dropped, or a statement timeout: the client may retry.
    if (
        exc.connection_invalidated
        or isinstance(exc, OperationalError)
        or getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
    ):
        return await _database_unavailable(request, exc)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request.url.path, 500, detail="An unexpected error occurred.")


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
