"""Password hashing does not stall the event loop (issue 25, item 11): argon2 costs tens of
milliseconds of CPU, and on the loop every other request of the process waited for it. A
ticker task measures the longest stretch of CPU the loop's thread spent without running it
while passwords are checked and hashed through HTTP."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx

from oversight.domain.roles import Role
from oversight.security import hash_password
from tests.helpers import PASSWORD, Api

Request = Callable[[], Awaitable[httpx.Response]]


def one_hash_seconds() -> float:
    """The CPU one argon2 hash costs (the least of a few)."""
    timings = []
    for _ in range(3):
        start = time.thread_time()
        hash_password(PASSWORD)
        timings.append(time.thread_time() - start)
    return min(timings)


async def longest_hold(request: Request, times: int = 5) -> float:
    """The most CPU the loop's thread spent between two turns of a ticker task while
    ``request`` ran ``times`` times: the longest the loop was kept from every other task.
    CPU time, not wall time: on a busy machine the process also waits for a core, and that is
    not the loop's doing."""
    holds: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.thread_time()
        while not done.is_set():
            await asyncio.sleep(0)
            now = time.thread_time()
            holds.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    try:
        for _ in range(times):
            response = await request()
            assert response.status_code < 300, response.text
    finally:
        done.set()
        await ticker
    return max(holds)


async def assert_loop_free(request: Request) -> None:
    await request()  # warm: first-use imports, compiled statements, the common-password list
    held, one_hash = await longest_hold(request), one_hash_seconds()
    # On the loop, every request held it for a whole hash at least.
    assert held < one_hash / 2, (
        f"the loop was held {held * 1000:.1f} ms; a hash {one_hash * 1000:.1f} ms"
    )
    print(f"held {held * 1000:.1f} ms; a hash {one_hash * 1000:.1f} ms")


def new_account() -> dict[str, str]:
    return {
        "email": f"resident-{uuid.uuid4().hex[:8]}@example.org",
        "password": "ferry lantern 7 okra",
        "display_name": "Resident",
    }


async def test_a_sign_in_does_not_stall_the_loop(api: Api) -> None:
    person = await api.person(sign_in=False)
    form = {"username": person.email, "password": PASSWORD}

    async def request() -> httpx.Response:
        return await api.client.post("/api/v1/auth/token", data=form)

    await assert_loop_free(request)


async def test_a_wrong_password_or_e_mail_does_not_stall_the_loop(api: Api) -> None:
    person = await api.person(sign_in=False)
    forms = [
        {"username": person.email, "password": "not the password"},
        {"username": "nobody@example.org", "password": PASSWORD},
    ]

    for form in forms:

        async def request(form: dict[str, str] = form) -> httpx.Response:
            response = await api.client.post("/api/v1/auth/token", data=form)
            assert response.status_code == 401
            return httpx.Response(204)

        await assert_loop_free(request)


async def test_registration_does_not_stall_the_loop(api: Api) -> None:
    async def request() -> httpx.Response:
        return await api.client.post("/api/v1/auth/register", json=new_account())

    await assert_loop_free(request)


async def test_creating_a_user_does_not_stall_the_loop(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    async def request() -> httpx.Response:
        body = {**new_account(), "role": "commissioner"}
        return await api.client.post("/api/v1/users", json=body, headers=admin.headers)

    await assert_loop_free(request)
