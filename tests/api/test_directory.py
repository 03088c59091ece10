from __future__ import annotations

from oversight.domain.roles import Role
from tests.helpers import Api, assert_problem

SEEDED = {
    "use_of_force",
    "discourtesy",
    "bias",
    "stop_search_arrest",
    "failure_to_act",
    "misconduct",
    "policy_procedure",
    "response_time",
    "commendation",
    "other",
}


async def test_categories_are_seeded_and_public(api: Api) -> None:
    response = await api.client.get("/api/v1/public/categories")
    assert response.status_code == 200
    assert {category["code"] for category in response.json()} == SEEDED
    assert all(category["active"] for category in response.json())


async def test_admin_adds_a_category(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    body = {"code": "search_warrant", "label": "Search warrants"}
    assert (
        await api.client.post("/api/v1/categories", json=body, headers=admin.headers)
    ).status_code == 201
    assert_problem(
        await api.client.post("/api/v1/categories", json=body, headers=admin.headers), 409
    )
    bad = await api.client.post(
        "/api/v1/categories", json={"code": "Has Spaces", "label": "x"}, headers=admin.headers
    )
    assert_problem(bad, 422)
    commissioner = await api.person(Role.COMMISSIONER)
    assert_problem(
        await api.client.post(
            "/api/v1/categories", json={"code": "x", "label": "x"}, headers=commissioner.headers
        ),
        403,
    )
    codes = {c["code"] for c in (await api.client.get("/api/v1/public/categories")).json()}
    assert codes == SEEDED | {"search_warrant"}


async def test_departments(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    resident = await api.person(Role.RESIDENT)
    body = {"code": "PATROL-N", "name": "North Patrol"}
    created = await api.client.post("/api/v1/departments", json=body, headers=admin.headers)
    assert created.status_code == 201
    assert_problem(
        await api.client.post("/api/v1/departments", json=body, headers=admin.headers), 409
    )
    assert_problem(
        await api.client.post(
            "/api/v1/departments", json={"code": "X", "name": "X"}, headers=resident.headers
        ),
        403,
    )
    listed = await api.client.get("/api/v1/departments", headers=resident.headers)
    assert [d["code"] for d in listed.json()] == ["PATROL-N"]
    assert_problem(await api.client.get("/api/v1/departments"), 401)
