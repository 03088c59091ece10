"""The response contract, enforced on every answer the suite receives.

Routes serialize their views once (``api.responses.json_response``) instead of letting FastAPI
validate them against ``response_model``: that keeps the hot paths fast, but a view that drifts
from its ``*Out`` model would go unnoticed. ``ContractCheck`` wraps the app under test and
validates every 2xx JSON body against the matched route's ``response_model``; a mismatch
raises, and the test that made the request fails.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
        model = getattr(scope.get("route"), "response_model", None)
        if model is None or not 200 <= status < 300:
            return
        if not content_type.startswith(b"application/json"):
            return
        try:
            _adapter(model).validate_json(b"".join(chunks))
        except ValueError as exc:
            path = scope["path"]
            raise ContractViolation(f"{path} answered outside its response model: {exc}") from exc
        self.checked += 1
