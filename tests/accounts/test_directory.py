from __future__ import annotations

from oversight.core.roles import Role
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
    page = response.json()
    assert {category["code"] for category in page["items"]} == SEEDED
    assert all(category["active"] for category in page["items"])
    assert page["next_cursor"] is None


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
    listed = (await api.client.get("/api/v1/public/categories")).json()["items"]
    codes = {c["code"] for c in listed}
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
    assert [d["code"] for d in listed.json()["items"]] == ["PATROL-N"]
    assert_problem(await api.client.get("/api/v1/departments"), 401)


async def test_every_category_is_reached_page_by_page(api: Api) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await api.client.get("/api/v1/public/categories", params=params)).json()
        assert len(page["items"]) <= 3
        seen += [c["code"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(SEEDED)


async def test_departments_are_public(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    for code, name in (("TRAFFIC", "Traffic"), ("PATROL-N", "North Patrol")):
        body = {"code": code, "name": name}
        assert (
            await api.client.post("/api/v1/departments", json=body, headers=admin.headers)
        ).status_code == 201
    listed = await api.client.get("/api/v1/public/departments", params={"limit": 1})
    assert listed.status_code == 200
    first = listed.json()
    assert [(d["code"], d["name"]) for d in first["items"]] == [("PATROL-N", "North Patrol")]
    assert set(first["items"][0]) == {"id", "code", "name"}
    rest = await api.client.get(
        "/api/v1/public/departments", params={"cursor": first["next_cursor"]}
    )
    assert [d["code"] for d in rest.json()["items"]] == ["TRAFFIC"]
    assert rest.json()["next_cursor"] is None


async def test_commissioners_are_public_officials(api: Api) -> None:
    """Names and whether they still serve; never e-mail, role changes or other accounts."""
    admin = await api.person(Role.ADMIN)
    serving = await api.person(Role.COMMISSIONER)
    former = await api.person(Role.COMMISSIONER)
    await api.person(Role.RESIDENT)
    deactivated = await api.client.patch(
        f"/api/v1/users/{former.id}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivated.status_code == 200, deactivated.text
    listed = await api.client.get("/api/v1/public/commissioners")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert {(c["id"], c["active"]) for c in items} == {
        (str(serving.id), True),
        (str(former.id), False),
    }
    assert all(set(c) == {"id", "display_name", "active"} for c in items)
    assert [c["display_name"] for c in items] == sorted(c["display_name"] for c in items)
