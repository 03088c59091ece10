"""The response-contract check is not blind: a view that drifts from its model fails, and so
does an answer carrying a status, or a header a client reads, that the operation's OpenAPI
response does not declare, including an answer a middleware gives before routing (a 304)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from oversight.core.http.responses import json_response
from tests.contract import ContractCheck, ContractViolation


class Thing(BaseModel):
    id: int
    name: str


def app_answering(view: object, status: int = 200) -> ContractCheck:
    app = FastAPI(title=f"contract check {status}")

    @app.get("/thing", response_model=Thing, responses={418: {"description": "A teapot."}})
    async def thing() -> Response:
        return json_response(view, status)

    return ContractCheck(app)


async def get(checked: ContractCheck) -> httpx.Response:
    transport = httpx.ASGITransport(app=checked)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/thing")


async def test_a_view_that_matches_passes() -> None:
    checked = app_answering({"id": 1, "name": "a"})
    assert (await get(checked)).status_code == 200
    assert checked.checked == 1


@pytest.mark.parametrize("view", [{"id": 1}, {"id": "one", "name": "a"}, {"name": "a"}])
async def test_a_view_that_drifts_fails(view: object) -> None:
    with pytest.raises(ContractViolation):
        await get(app_answering(view))


async def test_a_status_the_operation_documents_passes() -> None:
    assert (await get(app_answering({"id": 1, "name": "a"}, 418))).status_code == 418


async def test_a_status_the_operation_does_not_document_fails() -> None:
    with pytest.raises(ContractViolation, match="answered 409"):
        await get(app_answering({"id": 1, "name": "a"}, 409))


def tagging_app(headers: dict[str, object] | None = None) -> FastAPI:
    """A route that sends an ETag, its 200 declaring ``headers``."""
    app = FastAPI(title=f"contract check headers {headers}")

    @app.get("/thing", responses={200: {"description": "OK", "headers": headers or {}}})
    async def thing() -> Response:
        return Response(b"{}", media_type="application/json", headers={"ETag": '"abc"'})

    return app


class NotModified:
    """A caching layer that answers 304 before the router runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"if-none-match"):
            await send({"type": "http.response.start", "status": 304, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


async def get_with(app: FastAPI, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=ContractCheck(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/thing", headers=headers)


async def test_a_header_the_response_does_not_declare_fails() -> None:
    with pytest.raises(ContractViolation, match=r"\['etag'\]"):
        await get_with(tagging_app())


async def test_a_header_the_response_declares_passes() -> None:
    app = tagging_app({"ETag": {"schema": {"type": "string"}}})
    assert (await get_with(app)).status_code == 200


async def test_an_answer_given_before_routing_is_checked_against_its_route() -> None:
    app = tagging_app({"ETag": {"schema": {"type": "string"}}})
    app.add_middleware(NotModified)
    with pytest.raises(ContractViolation, match="answered 304"):
        await get_with(app, **{"If-None-Match": '"abc"'})
