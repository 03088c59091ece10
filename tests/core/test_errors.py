"""Every error is an RFC 9457 problem document; every response carries X-Request-ID."""

from __future__ import annotations

from collections.abc import AsyncIterator

from oversight.core.roles import Role
from tests.helpers import Api, assert_problem

REGISTER = "/api/v1/auth/register"


async def test_unknown_route_is_a_404_problem(api: Api) -> None:
    body = assert_problem(await api.client.get("/api/v1/nothing-here"), 404)
    assert body["instance"] == "/api/v1/nothing-here"


async def test_wrong_method_is_a_405_problem_with_allow(api: Api) -> None:
    response = await api.client.delete("/api/v1/auth/register")
    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"
    # A path served by two routes allows both.
    both = await api.client.put("/api/v1/concerns")
    assert_problem(both, 405)
    assert both.headers["allow"] == "GET, POST"


async def test_malformed_json_is_400(api: Api) -> None:
    response = await api.client.post(
        REGISTER, content=b'{"email": "a@b.org", ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


async def test_validation_errors_list_each_field(api: Api) -> None:
    response = await api.client.post(REGISTER, json={"email": 7, "extra": True})
    body = assert_problem(response, 422)
    locations = [tuple(error["loc"]) for error in body["errors"]]
    assert ("body", "email") in locations
    assert ("body", "extra") in locations  # unknown fields are refused, not ignored
    assert ("body", "password") in locations
    assert all(isinstance(error["msg"], str) and error["msg"] for error in body["errors"])


async def test_json_array_instead_of_object_is_422(api: Api) -> None:
    assert_problem(await api.client.post(REGISTER, json=[1, 2, 3]), 422)


async def test_oversized_body_is_413_by_declared_length(api: Api) -> None:
    response = await api.client.post(
        REGISTER, content=b"x" * 1_100_000, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)
    assert "x-request-id" in response.headers


async def test_oversized_streamed_body_is_413(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(12):
            yield b" " * 100_000

    response = await api.client.post(
        REGISTER, content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)


async def test_a_10_mb_string_in_json_is_413_and_creates_nothing(api: Api) -> None:
    body = {"email": "a@b.org", "password": "p" * 10_000_000, "display_name": "x"}
    assert_problem(await api.client.post(REGISTER, json=body), 413)
    admin = await api.person(Role.ADMIN)
    listed = await api.client.get("/api/v1/users", headers=admin.headers)
    assert [user["email"] for user in listed.json()["items"]] == [admin.email]


async def test_request_id_is_echoed_or_made(api: Api) -> None:
    echoed = await api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    made = await api.client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    hostile = await api.client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 300})
    assert hostile.headers["x-request-id"] != "a b\tc" + "x" * 300
    error = await api.client.get("/nope", headers={"X-Request-ID": "err-1"})
    assert error.headers["x-request-id"] == "err-1"


async def test_text_no_column_can_hold_is_422_and_stores_nothing(api: Api) -> None:
    """NUL characters (PostgreSQL refuses them) and unpaired surrogates (not UTF-8), however
    they arrive: JSON escapes, form fields, query strings. Found by Schemathesis as 500s."""
    admin = await api.person(Role.ADMIN)
    resident = await api.person(Role.RESIDENT)
    json_bodies = [
        ("/api/v1/concerns", resident, "summary", {"summary": "a\\u0000b"}),
        ("/api/v1/concerns", resident, "description", {"description": "half a pair \\ud83d"}),
        ("/api/v1/departments", admin, "name", {"code": "NUL1", "name": "x\\u0000"}),
        ("/api/v1/categories", admin, "label", {"code": "nul_cat", "label": "\\udbd6x"}),
    ]
    base = {"kind": "inquiry", "category": "other", "summary": "Fine", "description": "Fine."}
    for url, person, field, fields in json_bodies:
        body_fields = {**base, **fields} if url.endswith("concerns") else fields
        # json.dumps would escape a backslash: write the \u escapes into the JSON text itself.
        raw = "{" + ", ".join(f'"{k}": "{v}"' for k, v in body_fields.items()) + "}"
        response = await api.client.post(
            url, content=raw, headers={**person.headers, "Content-Type": "application/json"}
        )
        body = assert_problem(response, 422)
        assert [e["loc"] for e in body["errors"]] == [["body", field]], body["errors"]
    token = await api.client.post(
        "/api/v1/auth/token", data={"username": "a\x00@example.org", "password": "x"}
    )
    assert_problem(token, 422)
    search = await api.client.get("/api/v1/concerns", params={"q": "a\x00"}, headers=admin.headers)
    assert_problem(search, 422)
    listed = await api.client.get("/api/v1/concerns", headers=admin.headers)
    assert listed.json()["items"] == []
    departments = await api.client.get("/api/v1/departments", headers=admin.headers)
    assert all(d["code"] != "NUL1" for d in departments.json()["items"])
