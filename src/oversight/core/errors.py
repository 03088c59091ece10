"""Errors as RFC 9457 problem documents.

Services raise an ``OversightError`` subclass; ``answer`` writes every problem document, and
the handlers in ``core.http.error_handlers`` map framework errors (validation, unknown routes,
methods) and database outages to the same shape, so no client ever sees a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"


class ProblemCode(StrEnum):
    """What went wrong, stably: a problem document's ``code``; ``type`` is
    ``/problems/{code}``, which explains it (``GET /problems/{code}``)."""

    MALFORMED_REQUEST = "malformed_request"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    NOT_A_MOVE = "not_a_move"
    ALREADY_EXISTS = "already_exists"
    EMAIL_TAKEN = "email_taken"
    NOT_PRESENT = "not_present"
    IDEMPOTENCY_IN_FLIGHT = "idempotency_in_flight"
    STALE_VERSION = "stale_version"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA = "unsupported_media"
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable"
    MALWARE_FOUND = "malware_found"
    INVALID_INPUT = "invalid_input"
    VERSION_REQUIRED = "version_required"
    RATE_LIMITED = "rate_limited"
    INTERNAL_ERROR = "internal_error"
    UNAVAILABLE = "unavailable"
    ERROR = "error"


#: Each code's status and a short explanation, served at /problems/{code}.
EXPLANATIONS: dict[ProblemCode, tuple[int, str]] = {
    ProblemCode.MALFORMED_REQUEST: (400, "The request body is not valid JSON."),
    ProblemCode.UNAUTHORIZED: (
        401,
        "Sign in: the bearer token is missing, invalid, expired or revoked. Refresh it with "
        "POST /api/v1/auth/refresh or sign in again.",
    ),
    ProblemCode.FORBIDDEN: (403, "Your role may not do this; `detail` says which rule applies."),
    ProblemCode.NOT_FOUND: (
        404,
        "There is no such resource, or you may not see it (the API never confirms what you "
        "may not read).",
    ),
    ProblemCode.METHOD_NOT_ALLOWED: (405, "The path exists; the `Allow` header lists methods."),
    ProblemCode.CONFLICT: (
        409,
        "The resource's state does not allow this now (a decided resolution, an adjourned "
        "meeting, a closed comment period); `detail` says what.",
    ),
    ProblemCode.NOT_A_MOVE: (
        409,
        "That transition is not a move from the current status; `allowed` lists the moves "
        "from here.",
    ),
    ProblemCode.ALREADY_EXISTS: (409, "Something with this key exists already."),
    ProblemCode.EMAIL_TAKEN: (409, "An account with this e-mail address exists; sign in."),
    ProblemCode.NOT_PRESENT: (
        409,
        "Only commissioners marked present at the meeting vote; take attendance first.",
    ),
    ProblemCode.IDEMPOTENCY_IN_FLIGHT: (
        409,
        "A request with this Idempotency-Key is still being processed; retry after a moment "
        "to get its answer.",
    ),
    ProblemCode.STALE_VERSION: (
        412,
        "Someone changed the resource since you read it: `current_version` is its version "
        "now. Read it again, then retry with its ETag in If-Match.",
    ),
    ProblemCode.TOO_LARGE: (413, "The request body is over the size limit."),
    ProblemCode.UNSUPPORTED_MEDIA: (
        415,
        "The file's type is not on the allow-list, or its bytes disagree with the type or the "
        "extension it was sent with; `detail` says which. Nothing was kept.",
    ),
    ProblemCode.RANGE_NOT_SATISFIABLE: (
        416,
        "The requested range starts past the end; `Content-Range` gives the size.",
    ),
    ProblemCode.INVALID_INPUT: (
        422,
        "The request does not match the expected shape; `errors` lists every field at once, "
        "each with `loc` naming it.",
    ),
    ProblemCode.MALWARE_FOUND: (
        422,
        "The malware scanner found something in the file (`signature` names it); nothing was kept.",
    ),
    ProblemCode.VERSION_REQUIRED: (
        428,
        "Send If-Match with the ETag you last read: changes to this resource are conditional.",
    ),
    ProblemCode.RATE_LIMITED: (429, "Too many requests; wait for `Retry-After` seconds."),
    ProblemCode.INTERNAL_ERROR: (500, "An unexpected error; it is logged with the request id."),
    ProblemCode.UNAVAILABLE: (
        503,
        "The database, the attachment store or the malware scanner is unavailable or busy; "
        "nothing was kept. Retry after `Retry-After` seconds.",
    ),
    ProblemCode.ERROR: (400, "An error this list does not name; `status` and `detail` say more."),
}
#: The code a problem gets from its status alone: the first code listed for that status.
_BY_STATUS = {status: code for code, (status, _) in reversed(EXPLANATIONS.items())}


class OversightError(Exception):
    status: int = 500
    title: str = "Internal Server Error"
    #: Commit the transaction's writes before answering (e.g. the audit of a failed sign-in).
    persist: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: ProblemCode | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        persist: bool | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.code = code
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


class TooLarge(OversightError):
    status, title = 413, "Content Too Large"


class UnsupportedMedia(OversightError):
    status, title = 415, "Unsupported Media Type"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        super().__init__(detail, code=ProblemCode.UNSUPPORTED_MEDIA, **kwargs)


class RangeNotSatisfiable(OversightError):
    status, title = 416, "Range Not Satisfiable"


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

    type: str = Field(description="`/problems/{code}`: what the code means.")
    code: ProblemCode
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


#: Writes an error for paths that do not speak problem documents (Open311): the path, the
#: status, one description per error, the headers.
Dialect = Callable[[str, int, list[str], Mapping[str, str]], Response]


def answer(
    request: Request,
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    code: ProblemCode | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """An error for ``request``: a problem document, unless its path belongs to one of the
    dialects in ``app.state.error_dialects`` (prefix, writer). The one writer of errors."""
    path = request.url.path
    phrase = HTTPStatus(status).phrase
    dialects: tuple[tuple[str, Dialect], ...] = getattr(request.app.state, "error_dialects", ())
    for prefix, dialect in dialects:
        if path.startswith(prefix):
            field_errors = (extra or {}).get("errors") or []
            descriptions = [_described(error) for error in field_errors] or [
                detail or title or phrase
            ]
            return dialect(path, status, descriptions, headers or {})
    code = code or _BY_STATUS.get(status, ProblemCode.ERROR)
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "code": code,
        "title": title or phrase,
        "status": status,
        "detail": detail or title or phrase,
        "instance": path,
    }
    body.update(extra or {})
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


_PARTS = frozenset({"body", "query", "path", "header"})


def _described(error: Mapping[str, Any]) -> str:
    """``field: message``, the field named as the client sent it."""
    loc = [str(part) for part in error.get("loc", ()) if part not in _PARTS]
    return f"{'.'.join(loc)}: {error['msg']}" if loc else str(error["msg"])
