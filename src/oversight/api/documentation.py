"""What each operation really answers, written into the OpenAPI document.

FastAPI documents a route's success response and its validation error. The rest is derived here
from what the route depends on, so that it cannot drift from the code: a route that needs a
token can answer 401 and 403, one with a path parameter 404, one that takes ``If-Match`` 412
and 428, one that counts against a rate limit 429 with ``Retry-After``, one that uses the
database 503 (unavailable or busy, with ``Retry-After``). What no dependency shows
(which 409s a service raises, which writes return ``Location`` or ``Parent-ETag``) is listed
by operation below; ``tests/contract.py`` fails any test that receives a status its operation
does not document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from oversight.api import deps
from oversight.errors import EXPLANATIONS, PROBLEM_JSON, ProblemCode

P = ProblemCode

#: The 409s (and other codes) each operation's services raise, beyond what its dependencies show.
RAISES: dict[str, tuple[ProblemCode, ...]] = {
    "auth_register": (P.EMAIL_TAKEN,),
    "auth_token": (P.UNAUTHORIZED,),
    "auth_refresh": (P.UNAUTHORIZED,),
    "users_create": (P.EMAIL_TAKEN,),
    "users_change": (P.CONFLICT,),
    "directory_create_department": (P.ALREADY_EXISTS,),
    "directory_create_category": (P.ALREADY_EXISTS,),
    "concerns_edit": (P.CONFLICT,),
    "concerns_move": (P.NOT_A_MOVE, P.CONFLICT),
    "concerns_add_response": (P.CONFLICT,),
    "concerns_add_allegation": (P.CONFLICT,),
    "concerns_change_allegation": (P.CONFLICT,),
    "meetings_edit": (P.CONFLICT,),
    "meetings_move": (P.NOT_A_MOVE, P.CONFLICT),
    "meetings_add_agenda_item": (P.CONFLICT,),
    "meetings_change_agenda_item": (P.CONFLICT,),
    "meetings_remove_agenda_item": (P.CONFLICT,),
    "meetings_take_attendance": (P.CONFLICT,),
    "meetings_draft_minutes": (P.CONFLICT,),
    "meetings_approve_minutes": (P.CONFLICT,),
    "meetings_sign_up_to_speak": (P.ALREADY_EXISTS, P.CONFLICT),
    "resolutions_edit": (P.CONFLICT,),
    "resolutions_move": (P.NOT_A_MOVE, P.CONFLICT),
    "resolutions_vote": (P.NOT_PRESENT, P.CONFLICT),
    "resolutions_decide": (P.CONFLICT,),
    "resolutions_answer_recommendation": (P.CONFLICT,),
    "comments_post": (P.NOT_FOUND, P.CONFLICT),
    "comments_moderate": (P.NOT_A_MOVE,),
    "proposals_support": (P.CONFLICT,),
    "proposals_withdraw_support": (P.CONFLICT,),
    "proposals_move": (P.NOT_A_MOVE, P.CONFLICT),
    "open311_file_request": (P.FORBIDDEN,),
}
#: Signed-in operations that every role may call: they never answer 403.
EVERY_ROLE = frozenset({"auth_logout", "users_me", "concerns_counts"})
#: 201s that name the new resource's URL.
LOCATED = frozenset(
    {
        "concerns_submit",
        "users_create",
        "meetings_create",
        "resolutions_create",
        "webhooks_create",
        "open311_file_request",
        "open311_issue_key",
    }
)
#: Sub-resource writes that answer with their parent's new ETag.
PARENT_TAGGED = frozenset(
    {
        "concerns_add_allegation",
        "concerns_change_allegation",
        "meetings_add_agenda_item",
        "meetings_change_agenda_item",
        "meetings_remove_agenda_item",
        "resolutions_answer_recommendation",
    }
)

_HEADERS = {
    "X-Request-ID": "This request's id, as sent or as generated; it is in the server's log.",
    "ETag": 'The representation\'s version, e.g. `"3"`: send it as `If-Match` to change it.',
    "Location": "The URL of the resource created.",
    "Parent-ETag": "The parent resource's new ETag: this write changed its version.",
    "Idempotent-Replayed": "`true` when this is the stored answer to an earlier request with "
    "the same `Idempotency-Key`.",
    "Retry-After": "Seconds to wait before trying again.",
}


def _header(name: str) -> dict[str, Any]:
    return {"description": _HEADERS[name], "schema": {"type": "string"}}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _problem(codes: list[ProblemCode]) -> dict[str, Any]:
    """A response for one status, naming its problem codes."""
    lines = "\n".join(f"- `{code}`: {EXPLANATIONS[code][1]}" for code in codes)
    return {
        "description": lines,
        "headers": {"X-Request-ID": _header("X-Request-ID")},
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _codes(route: APIRoute, operation_id: str) -> set[ProblemCode]:
    calls = set(_calls(route.dependant))
    headers = {param.alias for param in route.dependant.header_params}
    codes = set(RAISES.get(operation_id, ()))
    if calls & {deps.current_actor, deps.signed_in}:
        codes.add(P.UNAUTHORIZED)
        if operation_id not in EVERY_ROLE:
            codes.add(P.FORBIDDEN)
    if deps.optional_actor in calls:
        codes |= {P.UNAUTHORIZED, P.FORBIDDEN}
    if route.dependant.path_params:
        codes.add(P.NOT_FOUND)
    if "If-Match" in headers:
        codes |= {P.STALE_VERSION, P.VERSION_REQUIRED}
    if "Idempotency-Key" in headers:
        codes.add(P.IDEMPOTENCY_IN_FLIGHT)
    if deps.get_limiter in calls:
        codes.add(P.RATE_LIMITED)
    if calls & {deps.get_session, deps.get_database}:
        codes.add(P.UNAVAILABLE)
    if route.body_field is not None:
        codes |= {P.MALFORMED_REQUEST, P.TOO_LARGE}
    return codes


def document_operations(app: FastAPI, openapi: dict[str, Any]) -> dict[str, Any]:
    """Each operation's statuses with their problem codes, its response headers and, where a
    token is optional, its security."""
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in route.methods or ():
                _document(route, openapi["paths"][route.path_format][method.lower()])
    return openapi


def _document(route: APIRoute, operation: dict[str, Any]) -> None:
    operation_id = operation["operationId"]
    responses: dict[str, Any] = operation["responses"]
    by_status: dict[int, list[ProblemCode]] = {}
    for code in sorted(_codes(route, operation_id)):
        by_status.setdefault(EXPLANATIONS[code][0], []).append(code)
    for status, codes in sorted(by_status.items()):
        responses.setdefault(str(status), _problem(codes))
        if status in (429, 503):
            responses[str(status)]["headers"]["Retry-After"] = _header("Retry-After")
    for response in responses.values():
        response.setdefault("headers", {})["X-Request-ID"] = _header("X-Request-ID")
        for media_type, content in response.get("content", {}).items():
            if media_type.startswith("text/"):  # CSV, HTML, iCalendar: text, not JSON
                content.setdefault("schema", {"type": "string"})
    names = []
    if route.response_model is not None and "version" in _fields(route.response_model):
        names.append("ETag")
    if operation_id in LOCATED:
        names.append("Location")
    if operation_id in PARENT_TAGGED:
        names.append("Parent-ETag")
    if "Idempotency-Key" in {param.alias for param in route.dependant.header_params}:
        names.append("Idempotent-Replayed")
    success = responses[str(route.status_code or 200)]
    success["headers"].update({name: _header(name) for name in names})
    if deps.optional_actor in set(_calls(route.dependant)):
        # Anonymous callers too: an empty requirement means "no token needed".
        operation["security"] = [{}, *operation.get("security", [])]


def _fields(model: Any) -> set[str]:
    return set(getattr(model, "model_fields", {}))
