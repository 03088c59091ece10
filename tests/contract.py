"""The response contract, enforced on every answer the suite receives.

Routes serialize their views once (``core.http.responses.json_response``) instead of letting FastAPI
validate them against ``response_model``: that keeps the hot paths fast, but a view that drifts
from its ``*Out`` model would go unnoticed. ``ContractCheck`` wraps the app under test and
validates every 2xx JSON body against the matched route's ``response_model``, and checks
that the OpenAPI document lists every status the route answers with, and, for that status,
every header of ``CHECKED_HEADERS`` it sends (``core.http.documentation``); a mismatch raises, and
the test that made the request fails. An answer given before routing (``PublicCaching``'s 304)
is checked against the route the path would have reached.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Response headers a client reads: each one sent must be declared on the documented response
#: for its status (``Content-Type``, ``X-Request-ID`` and the security headers are not
#: per-operation, or are documented everywhere).
CHECKED_HEADERS = frozenset(
    {
        "etag",
        "cache-control",
        "vary",
        "content-disposition",
        "location",
        "retry-after",
        "link",
        "parent-etag",
        "repr-digest",
        "idempotent-replayed",
        "deprecation",
        "sunset",
    }
)

#: Each operation's documented statuses and, per status, the headers it declares (lower case),
#: by app title, then (path template, method): every app the suite makes from ``create_app``
#: documents the same operations.
_DOCUMENTED: dict[str, dict[tuple[str, str], dict[int, set[str]]]] = {}


def _documented(app: Any, path: str, method: str) -> dict[int, set[str]]:
    if app.title not in _DOCUMENTED:
        _DOCUMENTED[app.title] = {
            (template, verb.upper()): {
                int(status): {name.lower() for name in response.get("headers", {})}
                for status, response in operation["responses"].items()
                if status != "default"
            }
            for template, item in app.openapi()["paths"].items()
            for verb, operation in item.items()
        }
    return _DOCUMENTED[app.title].get((path, method), {})


def _route(app: Any, scope: Scope) -> Any:
    """The route ``scope`` reached, or would have reached had a middleware not answered."""
    if (route := scope.get("route")) is not None:
        return route
    for candidate in getattr(app, "routes", ()):
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return candidate
    return None


@cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


class ContractViolation(AssertionError):
    pass


class ContractCheck:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.checked = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        content_type = b""
        sent: set[str] = set()
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = dict(message["headers"])
                content_type = headers.get(b"content-type", b"")
                sent.update(name.decode("latin-1").lower() for name in headers)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        route = _route(self.app, scope)
        path = getattr(route, "path_format", None)
        if path is not None and getattr(route, "include_in_schema", False) and status != 405:
            method = "GET" if scope["method"] == "HEAD" else scope["method"]
            documented = _documented(self.app, path, method)
            if status not in documented:
                raise ContractViolation(
                    f"{scope['method']} {path} answered {status}, which its OpenAPI operation "
                    f"does not list ({sorted(documented)}): see oversight.core.http.documentation"
                )
            if undeclared := (sent & CHECKED_HEADERS) - documented[status]:
                raise ContractViolation(
                    f"{scope['method']} {path} answered {status} with {sorted(undeclared)}, "
                    f"which its OpenAPI response for {status} does not declare "
                    f"({sorted(documented[status])}): see oversight.core.http.documentation"
                )
        model = getattr(route, "response_model", None)
        if model is None or not 200 <= status < 300:
            return
        if not content_type.startswith(b"application/json"):
            return
        try:
            _adapter(model).validate_json(b"".join(chunks))
        except ValueError as exc:
            raise ContractViolation(f"{path} answered outside its response model: {exc}") from exc
        self.checked += 1
