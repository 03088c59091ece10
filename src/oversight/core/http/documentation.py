"""What each operation really answers, written into the OpenAPI document.

FastAPI documents a route's success response and its validation error. The rest is derived here
from what the route depends on, so that it cannot drift from the code: a route that needs a
token can answer 401 and 403, one with a path parameter 404, one that takes ``If-Match`` 412
and 428, one that counts against a rate limit 429 with ``Retry-After``, one that uses the
database 503 (unavailable or busy, with ``Retry-After``). What ``core.http.caching`` adds is
derived from the path: every public GET answers ``If-None-Match`` with 304 and tags its 200 with
a cache validator (``ETag``, ``Cache-Control``, ``Vary`` where negotiated); the capability URLs
are ``Cache-Control: private, no-store`` on every answer. What no dependency shows (which 409s
a service raises, which writes return ``Location`` or ``Parent-ETag``, which answers are
downloads) each route says itself, with ``@documented(...)`` under its route decorator;
``tests/contract.py`` fails any test that receives a status, or one of the headers a client
reads, that its operation does not document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from oversight.core.errors import EXPLANATIONS, PROBLEM_JSON, ProblemCode
from oversight.core.http import deps
from oversight.core.http.caching import NEGOTIATED, PRIVATE_PREFIXES, PUBLIC_PREFIXES

P = ProblemCode


@dataclass(frozen=True)
class Documented:
    """What an operation answers that its dependencies do not show, said next to its route."""

    #: The 409s (and other codes) its services raise.
    raises: tuple[ProblemCode, ...] = ()
    #: Signed in, and every role may call it: it never answers 403.
    every_role: bool = False
    #: A 201 that names the new resource's URL (``Location``).
    located: bool = False
    #: A sub-resource write that answers with its parent's new ETag (``Parent-ETag``).
    parent_etag: bool = False
    #: Its body is a versioned resource but it sends no ETag of it: a recommendation's answer
    #: tags its resolution (``Parent-ETag``), the resource a client changes next.
    untagged: bool = False
    #: A file a browser saves or shows: ``Content-Disposition`` names it.
    download: bool = False
    #: It redirects an old link (``?format=``, ``Accept``) to a file of its own.
    redirects: bool = False
    #: A stored file: ``Repr-Digest``, its hash as a strong ``ETag``, ``Range`` (206), 304.
    ranged: bool = False


_NOTHING_MORE = Documented()
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def documented(
    *,
    raises: tuple[ProblemCode, ...] = (),
    every_role: bool = False,
    located: bool = False,
    parent_etag: bool = False,
    untagged: bool = False,
    download: bool = False,
    redirects: bool = False,
    ranged: bool = False,
) -> Callable[[Endpoint], Endpoint]:
    """Say what a route answers beyond its dependencies; put it under the route's decorator."""
    facts = Documented(
        raises, every_role, located, parent_etag, untagged, download, redirects, ranged
    )

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.documented = facts  # type: ignore[attr-defined]
        return endpoint

    return mark


def _facts(route: APIRoute) -> Documented:
    facts = getattr(route.endpoint, "documented", None)
    return facts if isinstance(facts, Documented) else _NOTHING_MORE


_HEADERS = {
    "X-Request-ID": "This request's id, as sent or as generated; it is in the server's log.",
    "ETag": 'The representation\'s version, e.g. `"3"`: send it as `If-Match` to change it.',
    "Validator": "A validator of this answer (a strong ETag, not a version): send it as "
    "`If-None-Match` to get a 304 while the public record has not changed.",
    "No-Store": "`no-store` on an answer to a request that carried `Authorization`.",
    "Cache-Control": "`public, max-age=60, stale-while-revalidate=300`: how long caches may "
    "keep this answer (`no-store` when the request carried `Authorization`).",
    "Private": "`private, no-store`: a capability URL, never stored by a cache.",
    "Vary": "`Accept`: the answer depends on it.",
    "Content-Disposition": "The file's name, and whether a browser shows (`inline`) or saves "
    "(`attachment`) it.",
    "Location": "The URL of the resource created.",
    "See-Other": "The same answer in the format asked for, at its own URL.",
    "Parent-ETag": "The parent resource's new ETag: this write changed its version.",
    "Idempotent-Replayed": "`true` when this is the stored answer to an earlier request with "
    "the same `Idempotency-Key`.",
    "Retry-After": "Seconds to wait before trying again.",
    "File-ETag": "The file's SHA-256 in hex, quoted: a strong validator for `If-None-Match`.",
    "Repr-Digest": "`sha-256=:...:`: the whole file's SHA-256 (RFC 9530), whatever the range.",
    "Content-Range": "`bytes first-last/size`: the part of the file sent.",
    "Accept-Ranges": "`bytes`: a `Range` of bytes may be asked for.",
}


_NAMES = {
    "Validator": "ETag",
    "No-Store": "Cache-Control",
    "Private": "Cache-Control",
    "See-Other": "Location",
    "File-ETag": "ETag",
}


def _header(name: str) -> dict[str, Any]:
    return {"description": _HEADERS[name], "schema": {"type": "string"}}


def _headers(*names: str) -> dict[str, Any]:
    """Headers by their documented meaning (``Validator`` is an ``ETag``)."""
    return {_NAMES.get(name, name): _header(name) for name in names}


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


def _codes(route: APIRoute) -> set[ProblemCode]:
    calls = set(_calls(route.dependant))
    headers = {param.alias for param in route.dependant.header_params}
    codes = set(_facts(route).raises)
    if calls & deps.SIGN_IN_REQUIRED:
        codes.add(P.UNAUTHORIZED)
        if not _facts(route).every_role:
            codes.add(P.FORBIDDEN)
    if calls & deps.SIGN_IN_OPTIONAL:
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
    _name_enum_values(openapi["components"]["schemas"])
    _optional_in_requests(openapi)
    return openapi


def _enums(cls: type[Enum] = Enum) -> Iterator[type[Enum]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _enums(sub)


def _name_enum_values(schemas: dict[str, Any]) -> None:
    """``x-enum-varnames``: a generated client names ``-created_at`` ``NEWEST`` (the member's
    name), not ``VALUE_1`` or ``ValueMinuscreated_at``."""
    by_name = {cls.__name__: cls for cls in _enums() if cls.__module__.startswith("oversight.")}
    for name, schema in schemas.items():
        values = schema.get("enum", ())
        if name in by_name and any(not str(value).isidentifier() for value in values):
            members = {str(member.value): member.name for member in by_name[name]}
            schema["x-enum-varnames"] = [members[str(value)] for value in values]


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(ref := value.get("$ref"), str):
            yield ref.rsplit("/", 1)[-1]
        for inner in value.values():
            yield from _refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _refs(inner)


def _reached(schemas: dict[str, Any], roots: Iterator[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        if (name := todo.pop()) not in seen and name in schemas:
            seen.add(name)
            todo += _refs(schemas[name])
    return seen


def _optional_in_requests(openapi: dict[str, Any]) -> None:
    """A request body's field with a default may be left out: openapi-typescript makes every
    property with a ``default`` required, so in the schemas only requests use the default is
    said in the description instead (the server applies it; a response's fields keep theirs)."""
    schemas = openapi["components"]["schemas"]
    operations = [op for item in openapi["paths"].values() for op in item.values()]
    requests = _reached(
        schemas,
        (r for op in operations for r in _refs([op.get("requestBody"), op.get("parameters")])),
    )
    responses = _reached(schemas, (r for op in operations for r in _refs(op["responses"])))
    for name in sorted(requests - responses):
        required = set(schemas[name].get("required", ()))
        for field, prop in schemas[name].get("properties", {}).items():
            if field not in required and "default" in prop:
                default = json.dumps(prop.pop("default"))
                said = prop.get("description", "").rstrip()
                prop["description"] = f"{said} Default: `{default}`.".strip()


def _document(route: APIRoute, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    by_status: dict[int, list[ProblemCode]] = {}
    for code in sorted(_codes(route)):
        by_status.setdefault(EXPLANATIONS[code][0], []).append(code)
    for status, codes in sorted(by_status.items()):
        responses.setdefault(str(status), _problem(codes))
        if status in (429, 503):
            responses[str(status)]["headers"]["Retry-After"] = _header("Retry-After")
    for response in responses.values():
        response.setdefault("headers", {}).update(_headers("X-Request-ID", "No-Store"))
        for media_type, content in response.get("content", {}).items():
            if media_type.startswith("text/"):  # CSV, HTML, iCalendar: text, not JSON
                content.setdefault("schema", {"type": "string"})
    success = responses[str(route.status_code or 200)]
    success["headers"].update(_headers(*_success_headers(route)))
    if _facts(route).ranged:
        _document_ranges(responses, success)
    _document_caching(route, responses)
    operation["responses"] = dict(
        sorted(responses.items(), key=lambda item: (not item[0].isdigit(), item[0]))
    )
    if deps.SIGN_IN_OPTIONAL & set(_calls(route.dependant)):
        # Anonymous callers too: an empty requirement means "no token needed".
        operation["security"] = [{}, *operation.get("security", [])]


def _success_headers(route: APIRoute) -> list[str]:
    names, facts = [], _facts(route)
    public_get = _public(route.path_format) and "GET" in (route.methods or ())
    if (
        not public_get
        and not facts.untagged
        and route.response_model is not None
        and "version" in _fields(route.response_model)
    ):
        names.append("ETag")
    if facts.located:
        names.append("Location")
    if facts.parent_etag:
        names.append("Parent-ETag")
    if "Idempotency-Key" in {param.alias for param in route.dependant.header_params}:
        names.append("Idempotent-Replayed")
    if facts.download:
        names.append("Content-Disposition")
    if facts.ranged:
        names += ["File-ETag", "Repr-Digest", "Accept-Ranges"]
    return names


def _document_ranges(responses: dict[str, Any], success: dict[str, Any]) -> None:
    """A stored file's 206 (a ``Range`` of it) and 304 (``If-None-Match`` with its hash)."""
    responses["206"] = {
        "description": "Partial Content: the `Range` asked for.",
        "content": success.get("content", {}),
        "headers": {**success["headers"], **_headers("Content-Range")},
    }
    responses["304"] = {
        "description": "Not Modified: `If-None-Match` named the file's hash; no body.",
        "headers": {**success["headers"]},
    }


def _public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def _document_caching(route: APIRoute, responses: dict[str, Any]) -> None:
    """What ``core.http.caching.PublicCaching`` adds to the operation's answers."""
    path = route.path_format
    if not _public(path):
        return
    if path.startswith(PRIVATE_PREFIXES):
        for response in responses.values():
            response["headers"].update(_headers("Private"))
        return
    if "200" not in responses:  # a write under /public/: not cached
        return
    cached = ["Validator", "Cache-Control", *(["Vary"] if path in NEGOTIATED else [])]
    responses["200"]["headers"].update(_headers(*cached))
    responses["304"] = {
        "description": "Not Modified: the `If-None-Match` tag is still current; no body.",
        "headers": _headers("X-Request-ID", *cached),
    }
    if _facts(route).redirects:
        responses["303"] = {
            "description": "See Other: `?format=` (or `Accept`) asked for another format; "
            "`Location` is its own URL.",
            "headers": _headers("X-Request-ID", "No-Store", "See-Other"),
        }


def _fields(model: Any) -> set[str]:
    return set(getattr(model, "model_fields", {}))
