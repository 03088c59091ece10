from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jose import jwt

from oversight.core.roles import Role
from tests.conftest import TEST_SECRET
from tests.helpers import PASSWORD, Api, assert_problem

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"


def registration(**overrides: Any) -> dict[str, Any]:
    body = {"email": "Ada@Example.org", "password": "a long enough password", "display_name": "Ada"}
    body.update(overrides)
    return body


async def user_count(api: Api) -> int:
    admin = await api.person(Role.ADMIN)
    response = await api.client.get("/api/v1/users", params={"limit": 200}, headers=admin.headers)
    return len(response.json()["items"]) - 1  # not counting the admin just made


async def test_register_then_sign_in_and_read_profile(api: Api) -> None:
    response = await api.client.post(REGISTER, json=registration())
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["email"] == "ada@example.org"
    assert user["role"] == "resident"
    assert user["is_active"] is True
    assert "password" not in user and "password_hash" not in user

    tokens = (
        await api.client.post(
            TOKEN, data={"username": "ADA@example.org", "password": "a long enough password"}
        )
    ).json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    me = await api.client.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]


async def test_register_twice_is_a_conflict_whatever_the_case(api: Api) -> None:
    assert (await api.client.post(REGISTER, json=registration())).status_code == 201
    again = await api.client.post(REGISTER, json=registration(email="ADA@example.ORG"))
    assert_problem(again, 409)
    assert await user_count(api) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"password": "ada@example.org"}, "body"),
        ({"email": "not-an-email"}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "n" * 201}, "display_name"),
        ({"role": "admin"}, "role"),
        ({"email": 42}, "email"),
        ({"display_name": None}, "display_name"),
    ],
)
async def test_bad_registrations_are_422_and_create_nothing(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    body = assert_problem(await api.client.post(REGISTER, json=registration(**overrides)), 422)
    assert any(field in [str(part) for part in error["loc"]] for error in body["errors"]), body
    assert await user_count(api) == 0


async def test_missing_fields_and_huge_strings_are_422(api: Api) -> None:
    assert_problem(await api.client.post(REGISTER, json={"email": "a@b.org"}), 422)
    huge = registration(display_name="x" * 500_000)
    assert_problem(await api.client.post(REGISTER, json=huge), 422)
    assert await user_count(api) == 0


async def test_wrong_email_and_wrong_password_look_the_same(api: Api) -> None:
    person = await api.person(Role.RESIDENT, sign_in=False)
    wrong_password = await api.client.post(
        TOKEN, data={"username": person.email, "password": "nope" * 4}
    )
    wrong_email = await api.client.post(
        TOKEN, data={"username": "nobody@example.org", "password": PASSWORD}
    )
    first, second = assert_problem(wrong_password, 401), assert_problem(wrong_email, 401)
    for body in (first, second):
        body.pop("instance")
    assert first == second
    assert wrong_password.headers["www-authenticate"] == "Bearer"


async def test_wrong_email_costs_about_what_a_wrong_password_costs(api: Api) -> None:
    person = await api.person(Role.RESIDENT, sign_in=False)

    async def timed(username: str) -> float:
        start = time.perf_counter()
        await api.client.post(TOKEN, data={"username": username, "password": "wrong password!"})
        return time.perf_counter() - start

    known = min([await timed(person.email) for _ in range(3)])
    unknown = min([await timed("nobody@example.org") for _ in range(3)])
    # Both run one argon2 verification; without the dummy hash the unknown e-mail is ~100x faster.
    assert unknown > known / 3


async def test_sign_in_form_is_validated(api: Api) -> None:
    assert_problem(await api.client.post(TOKEN, data={"username": "a@b.org"}), 422)
    long_password = {"username": "a@b.org", "password": "x" * 5000}
    assert_problem(await api.client.post(TOKEN, data=long_password), 422)
    wrong_grant = {"username": "a@b.org", "password": "x" * 20, "grant_type": "client_credentials"}
    assert_problem(await api.client.post(TOKEN, data=wrong_grant), 422)


async def test_refresh_rotates_and_reuse_ends_the_sign_in(api: Api) -> None:
    person = await api.person()
    first_refresh = person.refresh_token
    rotated = await api.client.post(REFRESH, json={"refresh_token": first_refresh})
    assert rotated.status_code == 200
    pair = rotated.json()
    assert pair["refresh_token"] != first_refresh
    new_headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await api.client.get(ME, headers=new_headers)).status_code == 200

    reused = await api.client.post(REFRESH, json={"refresh_token": first_refresh})
    assert_problem(reused, 401)
    # The thief's copy and the rightful holder's newer tokens are all dead now.
    assert_problem(
        await api.client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}), 401
    )
    assert_problem(await api.client.get(ME, headers=new_headers), 401)
    assert_problem(await api.client.get(ME, headers=person.headers), 401)
    events = await api.audit_events(action="auth.refresh_reused")
    assert [event["entity_id"] for event in events] == [str(person.id)]


async def test_unknown_refresh_token_is_401(api: Api) -> None:
    assert_problem(await api.client.post(REFRESH, json={"refresh_token": "made-up"}), 401)
    assert_problem(await api.client.post(REFRESH, json={}), 422)


async def test_logout_revokes_refresh_and_access_tokens(api: Api) -> None:
    person = await api.person()
    other_sign_in = await api.person(sign_in=False)
    await api.sign_in(other_sign_in)
    response = await api.client.post(
        LOGOUT, json={"refresh_token": person.refresh_token}, headers=person.headers
    )
    assert response.status_code == 204
    assert_problem(
        await api.client.post(REFRESH, json={"refresh_token": person.refresh_token}), 401
    )
    assert_problem(await api.client.get(ME, headers=person.headers), 401)
    # Someone else's sign-in is untouched.
    assert (await api.client.get(ME, headers=other_sign_in.headers)).status_code == 200


async def test_logout_cannot_revoke_someone_elses_token(api: Api) -> None:
    victim, attacker = await api.person(), await api.person()
    await api.client.post(
        LOGOUT, json={"refresh_token": victim.refresh_token}, headers=attacker.headers
    )
    assert (
        await api.client.post(REFRESH, json={"refresh_token": victim.refresh_token})
    ).status_code == 200


def _claims(person_id: str, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": person_id,
        "sid": person_id,
        "role": "admin",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "iss": "oversight",
        "aud": "oversight-api",
        "jti": "x",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


async def test_forged_and_broken_tokens_are_401(api: Api) -> None:
    person = await api.person()
    real = jwt.get_unverified_claims(person.access_token)
    sid = real["sid"]
    uid = str(person.id)

    def signed(key: str = TEST_SECRET, **overrides: Any) -> str:
        return str(jwt.encode(_claims(uid, **{"sid": sid, **overrides}), key, algorithm="HS256"))

    header, payload, signature = person.access_token.split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    tokens = {
        "alg none": f"{none_header}.{payload}.",
        "other key": signed(key="another-secret-key-of-sufficient-length-123"),
        "expired": signed(exp=int((datetime.now(UTC) - timedelta(hours=1)).timestamp())),
        "no exp": signed(exp=None),
        "wrong audience": signed(aud="someone-else"),
        "wrong issuer": signed(iss="someone-else"),
        "tampered payload": f"{header}.{payload[:-4]}AAAA.{signature}",
        "garbage": "not.a.token",
        "unknown session": signed(sid="00000000-0000-0000-0000-000000000000"),
        "HS512": str(jwt.encode(_claims(uid, sid=sid), TEST_SECRET, algorithm="HS512")),
    }
    for name, token in tokens.items():
        response = await api.client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"] == "Bearer", name
    # The control: a correctly signed token for the same sign-in works.
    assert (
        await api.client.get(ME, headers={"Authorization": f"Bearer {signed()}"})
    ).status_code == 200


async def test_no_token_is_401(api: Api) -> None:
    assert_problem(await api.client.get(ME), 401)
    assert_problem(await api.client.get(ME, headers={"Authorization": "Basic abc"}), 401)
