"""The response contract, enforced on every answer the suite receives.

Routes serialize their views once (``api.responses.json_response``) instead of letting FastAPI
validate them against ``response_model``: that keeps the hot paths fast, but a view that drifts
from its ``*Out`` model would go unnoticed. ``ContractCheck`` wraps the app under test and
validates every 2xx JSON body against the matched route's ``response_model``, and checks
that the OpenAPI document lists every status the route answers with
(``api.documentation``); a mismatch raises, and the test that made the request fails.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Each operation's documented statuses, by app title, then (path template, method): every
#: app the suite makes from ``create_app`` documents the same operations.
_DOCUMENTED: dict[str, dict[tuple[str, str], set[int]]] = {}


def _documented(app: Any, path: str, method: str) -> set[int]:
    if app.title not in _DOCUMENTED:
        _DOCUMENTED[app.title] = {
            (template, verb.upper()): {int(s) for s in operation["responses"] if s != "default"}
            for template, item in app.openapi()["paths"].items()
            for verb, operation in item.items()
        }
    return _DOCUMENTED[app.title].get((path, method), set())


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
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = dict(message["headers"]).get(b"content-type", b"")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        route = scope.get("route")
        path = getattr(route, "path_format", None)
        if path is not None and getattr(route, "include_in_schema", False) and status != 405:
            documented = _documented(self.app, path, scope["method"])
            if status not in documented:
                raise ContractViolation(
                    f"{scope['method']} {path} answered {status}, which its OpenAPI operation "
                    f"does not list ({sorted(documented)}): see oversight.api.documentation"
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
