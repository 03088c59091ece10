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


def app_answering(view: object) -> ContractCheck:
    app = FastAPI()

    @app.get("/thing", response_model=Thing)
    async def thing() -> Response:
        return json_response(view)

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
