"""Sign-in under a distributed guessing attack (issue 25, item 2): past an account's failure
limit only clients familiar to it (an address that signed in to it in the last 30 days, or the
device token such a sign-in handed out) have their password checked; every other client gets
429 with Retry-After, whatever address it comes from, and its password goes unchecked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from oversight.core.clock import simulated_clock
from oversight.core.config import Settings
from oversight.main import create_app
from tests.conftest import make_settings
from tests.helpers import PASSWORD, Api, Person, assert_problem

TOKEN = "/api/v1/auth/token"

#: Per client: 3 wrong passwords a window; per account: 5. The attack uses a new address for
#: each guess, so only the account's limit can stop it.
LIMITS = {
    "rate_limits_enabled": True,
    "rate_limit_sign_in_failures_client": "3/15 minutes",
    "rate_limit_sign_in_failures_account": "5/15 minutes",
}
ACCOUNT_LIMIT = 5

Clients = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def client_from(settings: Settings) -> AsyncIterator[Clients]:
    """A client of an app with the rate limits on, calling from the given address (as a
    trusted proxy's X-Forwarded-For makes it)."""
    app: FastAPI = create_app(make_settings(settings.database_url, **LIMITS))
    opened: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 4000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return opened[-1]

    yield make
    for client in opened:
        await client.aclose()
    await app.state.database.dispose()


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str, device_token: str | None = None
) -> httpx.Response:
    data = {"username": email, "password": password}
    if device_token is not None:
        data["device_token"] = device_token
    return await client.post(TOKEN, data=data)


async def attack(client_from: Clients, email: str, guesses: int = 12) -> list[httpx.Response]:
    """One wrong password from each of ``guesses`` addresses never seen before."""
    return [
        await sign_in(client_from(f"198.51.100.{i}"), email, f"guess number {i:04d}")
        for i in range(1, guesses + 1)
    ]


async def checked_passwords(api: Api, person: Person) -> int:
    """How many wrong passwords were checked for the account (each is audited)."""
    return len(await api.audit_events(action="auth.sign_in_failed", entity_id=str(person.id)))


def assert_refused(response: httpx.Response) -> None:
    assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 15 * 60


async def test_guesses_from_many_addresses_stop_at_the_account_limit(
    api: Api, client_from: Clients
) -> None:
    owner = await api.person(sign_in=False)
    answers = await attack(client_from, owner.email)
    assert [r.status_code for r in answers] == [401] * ACCOUNT_LIMIT + [429] * 7
    for refused in answers[ACCOUNT_LIMIT:]:
        assert_refused(refused)
    # The right password from an unfamiliar address is refused the same way: not checked.
    assert_refused(await sign_in(client_from("198.51.100.200"), owner.email, PASSWORD))
    assert await checked_passwords(api, owner) == ACCOUNT_LIMIT


async def test_an_unknown_e_mail_is_refused_like_an_account(client_from: Clients) -> None:
    answers = await attack(client_from, "nobody@example.org")
    assert [r.status_code for r in answers] == [401] * ACCOUNT_LIMIT + [429] * 7


async def test_the_owner_still_signs_in_while_the_account_is_under_attack(
    api: Api, client_from: Clients
) -> None:
    owner = await api.person(sign_in=False)
    neighbour = await api.person(sign_in=False)
    home = client_from("192.0.2.7")
    first = await sign_in(home, owner.email, PASSWORD)
    assert first.status_code == 200, first.text
    device = first.json()["device_token"]
    others = (await sign_in(client_from("192.0.2.99"), neighbour.email, PASSWORD)).json()

    await attack(client_from, owner.email)
    # From the address the owner signed in from: checked, and in.
    again = await sign_in(home, owner.email, PASSWORD)
    assert again.status_code == 200, again.text
    # From a new address, with the device token: in, and the token stays the same.
    travelling = await sign_in(client_from("203.0.113.9"), owner.email, PASSWORD, device)
    assert travelling.status_code == 200, travelling.text
    assert travelling.json()["device_token"] == device
    # A forged secret, or another account's token, is a stranger's.
    forged = device[:33] + ("A" if device[33] != "A" else "B") + device[34:]
    assert_refused(await sign_in(client_from("203.0.113.10"), owner.email, PASSWORD, forged))
    assert_refused(
        await sign_in(client_from("203.0.113.11"), owner.email, PASSWORD, others["device_token"])
    )
    # Familiar clients still have their own failure limit.
    for _ in range(3):
        assert_problem(await sign_in(home, owner.email, "a wrong password"), 401)
    assert_refused(await sign_in(home, owner.email, PASSWORD))
    assert await checked_passwords(api, owner) == ACCOUNT_LIMIT + 3


async def test_every_sign_in_hands_out_a_device_token(api: Api) -> None:
    owner = await api.person(sign_in=False)
    answers = [
        (await sign_in(api.client, owner.email, PASSWORD)).json()["device_token"] for _ in range(2)
    ]
    assert answers[0] != answers[1]  # a client that keeps none gets a new one each time
    kept = await sign_in(api.client, owner.email, PASSWORD, answers[0])
    assert kept.json()["device_token"] == answers[0]
    refreshed = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": kept.json()["refresh_token"]}
    )
    assert refreshed.json()["device_token"] is None
    garbled = await sign_in(api.client, owner.email, PASSWORD, "not a device token")
    assert_problem(garbled, 422)


async def test_a_client_is_familiar_for_30_days(api: Api, client_from: Clients) -> None:
    owner = await api.person(sign_in=False)
    old_home, recent_home = client_from("192.0.2.31"), client_from("192.0.2.29")
    with simulated_clock(lambda: datetime.now(UTC) - timedelta(days=31)):
        old = await sign_in(old_home, owner.email, PASSWORD)
    assert old.status_code == 200, old.text
    with simulated_clock(lambda: datetime.now(UTC) - timedelta(days=29)):
        recent = await sign_in(recent_home, owner.email, PASSWORD)
    assert recent.status_code == 200, recent.text

    await attack(client_from, owner.email)
    # 31 days ago is too long ago, for the address and for the device token.
    assert_refused(await sign_in(old_home, owner.email, PASSWORD))
    old_device = old.json()["device_token"]
    assert_refused(await sign_in(client_from("203.0.113.31"), owner.email, PASSWORD, old_device))
    # 29 days ago is not.
    assert (await sign_in(recent_home, owner.email, PASSWORD)).status_code == 200
    recent_device = recent.json()["device_token"]
    travelling = await sign_in(client_from("203.0.113.29"), owner.email, PASSWORD, recent_device)
    assert travelling.status_code == 200, travelling.text
