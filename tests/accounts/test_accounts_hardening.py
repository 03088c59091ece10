"""Accounts (issue #11): common and trivial passwords are refused wherever a
password is set; registration and signed-in submission are rate-limited (refused registrations
do not count, issue 25); wrong passwords slow down the guesser without locking the owner out
(tests/accounts/test_familiar_sign_ins.py for the distributed attack); an access token dies with
its ``iat``."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from jose import jwt

from oversight.core import passwords
from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.main import create_app
from tests.cases import Cast
from tests.conftest import TEST_SECRET, make_settings
from tests.helpers import CONCERNS, PASSWORD, Api, Person, assert_problem, concern_body, run_cli

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/users/me"

#: Small limits, so that each test reaches them in a few requests.
LIMITS = {
    "rate_limits_enabled": True,
    "rate_limit_register_ip": "3/hour",
    "rate_limit_register_attempts_ip": "20/hour",
    "rate_limit_submit_account": "3/day",
    "rate_limit_sign_in_failures_client": "3/15 minutes",
    "rate_limit_sign_in_failures_account": "5/15 minutes",
}

Clients = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def limited_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The test's database behind an app with the rate limits on (``api`` has them off)."""
    app = create_app(make_settings(settings.database_url, **LIMITS))
    yield app
    await app.state.database.dispose()


@pytest.fixture
async def client_from(limited_app: FastAPI) -> AsyncIterator[Clients]:
    """A client of the limited app calling from the given IP address."""
    opened: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=limited_app, client=(address, 4000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return opened[-1]

    yield make
    for client in opened:
        await client.aclose()


async def emails(api: Api) -> list[str]:
    admin = await api.person(Role.ADMIN)
    listed = await api.client.get("/api/v1/users", params={"limit": 200}, headers=admin.headers)
    return [user["email"] for user in listed.json()["items"] if user["email"] != admin.email]


def registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "email": f"resident-{uuid.uuid4().hex[:8]}@example.org",
        "password": "a long enough password",
        "display_name": "Resident",
    }
    body.update(overrides)
    return body


# Passwords -----------------------------------------------------------------------------------

REFUSED = [
    ("password1234", "common"),  # on the list of the 100,000 most common
    ("PassWord1234", "common"),  # whatever the case
    ("qwertyuiop123", "common"),
    ("123456789012", "common"),
    (" " * 12, "whitespace"),
    ("\t \n" * 4, "whitespace"),
    ("a" * 12, "repeated"),
    ("ÿ" * 20, "repeated"),
]


def assert_names_rule(response: httpx.Response, rule: str) -> None:
    body = assert_problem(response, 422)
    errors = [e for e in body["errors"] if "password" in [str(p) for p in e["loc"]]]
    assert errors, body
    assert rule in errors[0]["msg"], body


def test_the_shipped_list_is_the_100000_most_common_passwords() -> None:
    packed = files("oversight").joinpath("data").joinpath(passwords.COMMON_PASSWORDS_FILE)
    listed = gzip.decompress(packed.read_bytes()).decode("utf-8").splitlines()
    assert len(listed) == 100_000
    assert listed[:3] == ["123456", "password", "12345678"]  # most common first


@pytest.mark.parametrize(("password", "rule"), REFUSED)
async def test_registration_refuses_common_and_trivial_passwords(
    api: Api, password: str, rule: str
) -> None:
    response = await api.client.post(REGISTER, json=registration(password=password))
    assert_names_rule(response, rule)
    assert await emails(api) == []


async def test_an_uncommon_password_is_accepted(api: Api) -> None:
    response = await api.client.post(REGISTER, json=registration(password="ferry lantern 7 okra"))
    assert response.status_code == 201, response.text


async def test_admins_cannot_give_a_common_or_trivial_password(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    for password, rule in REFUSED:
        body = {
            "email": "new.commissioner@example.org",
            "display_name": "New",
            "role": "commissioner",
            "password": password,
        }
        response = await api.client.post("/api/v1/users", json=body, headers=admin.headers)
        assert_names_rule(response, rule)
    listed = await api.client.get("/api/v1/users", headers=admin.headers)
    assert "new.commissioner@example.org" not in [u["email"] for u in listed.json()["items"]]


async def test_the_cli_refuses_a_common_password(api: Api, settings: Settings) -> None:
    args = ["users", "create", "--email", "clerk@example.org", "--role", "admin"]
    result = run_cli(
        settings, *args, "--display-name", "Clerk", "--password-stdin", stdin="Password1234\n"
    )
    assert result.returncode != 0
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "common" in result.stderr
    assert "clerk@example.org" not in await emails(api)


# Rate limits on registration and signed-in submission ---------------------------------------


async def test_registration_is_rate_limited_per_ip(api: Api, client_from: Clients) -> None:
    flood = client_from("203.0.113.20")
    made = []
    for _ in range(3):  # rate_limit_register_ip: 3/hour
        body = registration()
        assert (await flood.post(REGISTER, json=body)).status_code == 201
        made.append(body["email"])
    refused = registration()
    response = await flood.post(REGISTER, json=refused)
    assert_problem(response, 429)
    assert 60 < int(response.headers["retry-after"]) <= 3600
    # Another address is not the flood.
    other = registration()
    assert (await client_from("203.0.113.21").post(REGISTER, json=other)).status_code == 201
    assert sorted(await emails(api)) == sorted([*made, other["email"]])


async def test_refused_registrations_do_not_count(api: Api, client_from: Clients) -> None:
    """Issue 25: a person fixing their typos is not the flood the limit is for."""
    person = client_from("203.0.113.22")
    taken = registration()
    assert (await person.post(REGISTER, json=taken)).status_code == 201
    for _ in range(6):  # 12 refusals, four times rate_limit_register_ip (3/hour)
        assert_problem(await person.post(REGISTER, json={**taken, "display_name": "Me"}), 409)
        weak = registration(password="password1234")
        assert_names_rule(await person.post(REGISTER, json=weak), "common")
    made = [taken["email"]]
    for _ in range(2):  # with the first, 3 accounts: the limit
        body = registration()
        assert (await person.post(REGISTER, json=body)).status_code == 201, body
        made.append(body["email"])
    assert_problem(await person.post(REGISTER, json=registration()), 429)
    assert sorted(await emails(api)) == sorted(made)


async def test_registration_attempts_are_capped_more_loosely(
    api: Api, client_from: Clients
) -> None:
    """Refused attempts still count against rate_limit_register_attempts_ip (20/hour):
    probing which addresses have an account stays slow."""
    prober = client_from("203.0.113.23")
    taken = registration()
    assert (await prober.post(REGISTER, json=taken)).status_code == 201
    statuses = [(await prober.post(REGISTER, json=taken)).status_code for _ in range(20)]
    assert statuses == [409] * 19 + [429]
    assert_problem(await prober.post(REGISTER, json=registration()), 429)
    assert await emails(api) == [taken["email"]]


async def count_concerns(api: Api, commissioner: Person) -> int:
    listed = await api.client.get(CONCERNS, params={"limit": 200}, headers=commissioner.headers)
    return len(listed.json()["items"])


async def test_signed_in_submission_is_rate_limited_per_account(
    api: Api, cast: Cast, client_from: Clients
) -> None:
    client = client_from("203.0.113.30")
    resident = cast.resident.headers
    for _ in range(3):  # rate_limit_submit_account: 3/day
        assert (
            await client.post(CONCERNS, json=concern_body(), headers=resident)
        ).status_code == 201
    response = await client.post(CONCERNS, json=concern_body(), headers=resident)
    assert_problem(response, 429)
    assert int(response.headers["retry-after"]) > 3600
    assert await count_concerns(api, cast.commissioner) == 3
    # Another account from the same address is not over its limit.
    neighbour = await api.person(Role.RESIDENT)
    other = await client.post(CONCERNS, json=concern_body(), headers=neighbour.headers)
    assert other.status_code == 201
    assert await count_concerns(api, cast.commissioner) == 4


# Sign-in: failures slow the guesser, not the owner ------------------------------------------


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(TOKEN, data={"username": email, "password": password})


async def test_many_wrong_passwords_from_a_stranger_leave_the_owner_signing_in(
    api: Api, client_from: Clients
) -> None:
    owner = await api.person(sign_in=False)
    stranger = client_from("198.51.100.50")
    statuses = [
        (await sign_in(stranger, owner.email, f"guess {i:08d}")).status_code for i in range(12)
    ]
    assert statuses == [401] * 3 + [429] * 9
    signed_in = await sign_in(client_from("192.0.2.50"), owner.email, PASSWORD)
    assert signed_in.status_code == 200, signed_in.text


async def test_over_the_account_limit_only_familiar_clients_are_checked(
    api: Api, client_from: Clients
) -> None:
    owner = await api.person(Role.COMMISSIONER, sign_in=False)
    home = client_from("192.0.2.10")
    assert (await sign_in(home, owner.email, PASSWORD)).status_code == 200
    first, second, third = (client_from(f"198.51.100.{i}") for i in (1, 2, 3))

    for _ in range(3):  # rate_limit_sign_in_failures_client: 3/15 minutes
        assert_problem(await sign_in(first, owner.email, "guess number one"), 401)
    # The guesser's own client is refused, the right password unchecked.
    blocked = await sign_in(first, owner.email, PASSWORD)
    assert_problem(blocked, 429)
    assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60

    for _ in range(2):  # now 5 failures for the account: rate_limit_sign_in_failures_account
        assert_problem(await sign_in(second, owner.email, "guess number two"), 401)
    # Over the account's limit, a client the account does not know waits, failed or not
    # (issue 25: one guess per fresh address was a botnet's unlimited guesses).
    assert_problem(await sign_in(second, owner.email, "guess number three"), 429)
    assert_problem(await sign_in(third, owner.email, "guess number four"), 429)
    assert_problem(await sign_in(third, owner.email, PASSWORD), 429)

    # The owner, from where they signed in before, signs in.
    signed_in = await sign_in(home, owner.email, PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    me = await api.client.get(
        ME, headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    )
    assert me.json()["id"] == str(owner.id)
    failed = await api.audit_events(action="auth.sign_in_failed", entity_id=str(owner.id))
    assert len(failed) == 5  # the 429s never reached the password check


async def test_only_failures_count_against_an_account(api: Api, client_from: Clients) -> None:
    owner = await api.person(sign_in=False)
    client = client_from("192.0.2.20")
    statuses = [(await sign_in(client, owner.email, PASSWORD)).status_code for _ in range(10)]
    assert statuses == [200] * 10  # more than either failure limit
    assert_problem(await sign_in(client, owner.email, "a wrong password"), 401)
    assert (await sign_in(client, owner.email, PASSWORD)).status_code == 200


async def test_unknown_accounts_are_limited_like_real_ones(client_from: Clients) -> None:
    client = client_from("192.0.2.30")
    statuses = [
        (await sign_in(client, "nobody@example.org", "some guess")).status_code for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


# Access tokens -------------------------------------------------------------------------------


async def test_an_access_token_dies_with_its_iat_whatever_its_exp(api: Api) -> None:
    person = await api.person()
    real = jwt.get_unverified_claims(person.access_token)
    now = datetime.now(UTC)

    def token(issued: datetime, expires: datetime) -> dict[str, str]:
        claims = {
            **real,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return {"Authorization": f"Bearer {jwt.encode(claims, TEST_SECRET, algorithm='HS256')}"}

    next_week = now + timedelta(days=7)
    too_old = await api.client.get(ME, headers=token(now - timedelta(minutes=16), next_week))
    assert_problem(too_old, 401)
    assert too_old.headers["www-authenticate"] == "Bearer"
    from_the_future = await api.client.get(ME, headers=token(now + timedelta(hours=1), next_week))
    assert_problem(from_the_future, 401)
    # The control: the same forgery within the 15 minutes works, so the age is what failed.
    young = await api.client.get(ME, headers=token(now - timedelta(minutes=14), next_week))
    assert young.status_code == 200, young.text
