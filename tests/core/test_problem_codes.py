"""Problems can be told apart by code (API.md, "For the front ends"): each situation its own
stable `code`, `type` = `/problems/{code}`, which the service explains."""

from __future__ import annotations

import pytest

from oversight.core.errors import EXPLANATIONS, ProblemCode
from oversight.core.roles import Role
from tests.cases import Cast
from tests.helpers import CONCERNS, Api, assert_problem, concern_body, submit
from tests.resolutions.test_resolutions import commission, draft, in_session, vote


async def test_every_code_is_explained_where_its_type_points(api: Api) -> None:
    listed = (await api.client.get("/problems")).json()["items"]
    assert [p["code"] for p in listed] == [code.value for code in ProblemCode]
    for code in ProblemCode:
        explained = await api.client.get(f"/problems/{code}")
        assert explained.status_code == 200
        assert explained.json() == {
            "code": code.value,
            "status": EXPLANATIONS[code][0],
            "explanation": EXPLANATIONS[code][1],
        }
    body = assert_problem(await api.client.get("/problems/no_such_code"), 404)
    assert body["code"] == "not_found"


async def test_the_four_conflicts_are_four_codes(api: Api, cast: Cast) -> None:
    """409 used to mean all of these; a client now tells them apart without reading prose."""
    concern = await submit(api, cast.resident)
    illegal = await api.client.post(
        f"{CONCERNS}/{concern['id']}/transitions",
        json={"to": "closed"},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )
    assert assert_problem(illegal, 409)["code"] == "not_a_move"

    body = {"email": "twice@example.org", "password": "a long enough password 1"}
    body |= {"display_name": "Twice"}
    assert (await api.client.post("/api/v1/auth/register", json=body)).status_code == 201
    again = await api.client.post("/api/v1/auth/register", json=body)
    assert assert_problem(again, 409)["code"] == "email_taken"

    members = await commission(api, cast, size=2)
    resolution = await draft(api, cast)
    await in_session(api, cast, members, members[:1], resolution)
    absent = await vote(api, members[1], resolution, "yes")
    assert assert_problem(absent, 409)["code"] == "not_present"

    admin = await api.person(Role.ADMIN)
    department = {"code": "DUP", "name": "Twice"}
    first = await api.client.post("/api/v1/departments", json=department, headers=admin.headers)
    assert first.status_code == 201
    duplicate = await api.client.post("/api/v1/departments", json=department, headers=admin.headers)
    assert assert_problem(duplicate, 409)["code"] == "already_exists"


async def test_versions(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}"
    change = {"priority": "high"}
    missing = await api.client.patch(url, json=change, headers=cast.commissioner.headers)
    assert assert_problem(missing, 428)["code"] == "version_required"
    done = await api.client.patch(
        url, json=change, headers={**cast.commissioner.headers, "If-Match": '"1"'}
    )
    assert done.status_code == 200, done.text
    stale = await api.client.patch(
        url, json=change, headers={**cast.commissioner.headers, "If-Match": '"1"'}
    )
    body = assert_problem(stale, 412)
    assert (body["code"], body["current_version"]) == ("stale_version", 2)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("get", "/api/v1/users/me", {}, 401, "unauthorized"),
        ("get", "/api/v1/no/such/path", {}, 404, "not_found"),
        ("delete", "/api/v1/public/meetings", {}, 405, "method_not_allowed"),
        (
            "post",
            CONCERNS,
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            400,
            "malformed_request",
        ),
        ("post", CONCERNS, {"json": {"kind": "rumour"}}, 422, "invalid_input"),
        ("post", CONCERNS, {"content": b"x" * 2_000_000}, 413, "too_large"),
    ],
)
async def test_framework_errors_have_codes_too(
    api: Api, method: str, path: str, kwargs: dict[str, object], status: int, code: str
) -> None:
    response = await getattr(api.client, method)(path, **kwargs)
    assert assert_problem(response, status)["code"] == code


async def test_a_forbidden_move_by_role_is_forbidden(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    response = await api.client.post(
        f"{CONCERNS}/{concern['id']}/transitions",
        json={"to": "triaged"},
        headers={**cast.resident.headers, "If-Match": '"1"'},
    )
    assert assert_problem(response, 403)["code"] == "forbidden"


async def test_field_errors_point_at_their_fields_all_at_once(api: Api) -> None:
    future = await api.client.post(
        CONCERNS, json=concern_body(occurred_at="2099-01-01T00:00:00Z", kind="rumour")
    )
    errors = assert_problem(future, 422)["errors"]
    assert {"loc": ["body", "occurred_at"], "msg": "may not be more than a day in the future"} in (
        errors
    )
    assert ["body", "kind"] in [e["loc"] for e in errors]  # both fields, in one answer
    account = {"email": "pat.lee@example.org", "display_name": "Pat"}
    same = await api.client.post(
        "/api/v1/auth/register", json=account | {"password": "PAT.LEE@example.org"}
    )
    (error,) = assert_problem(same, 422)["errors"]
    assert error["loc"] == ["body", "password"]
    assert not error["msg"].startswith("Value error")
