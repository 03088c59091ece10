"""The response-contract check is not blind: a view that drifts from its model fails."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel

from oversight.api.responses import json_response
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
