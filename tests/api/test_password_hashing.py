"""Password hashing does not stall the event loop (issue 25, item 11): argon2 costs tens of
milliseconds of CPU, and on the loop every other request of the process waited for it. A
ticker task measures the longest stretch of CPU the loop's thread spent without running it
while passwords are checked and hashed through HTTP."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from oversight import security
from oversight.db import READS_OPTION
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


class Recorder:
    """When each password hash ran, and when each writing transaction of the app was open."""

    def __init__(self) -> None:
        self.hashes: list[tuple[float, float]] = []
        self.writes: list[tuple[float, float]] = []
        self._open: dict[int, float] = {}

    def begin(self, connection: Any) -> None:
        if not connection.get_execution_options().get(READS_OPTION):
            self._open[id(connection)] = time.perf_counter()

    def end(self, connection: Any) -> None:
        if (started := self._open.pop(id(connection), None)) is not None:
            self.writes.append((started, time.perf_counter()))

    def overlaps(self) -> list[tuple[float, float]]:
        return [
            (hash_start, hash_end)
            for hash_start, hash_end in self.hashes
            for write_start, write_end in self.writes
            if hash_start < write_end and write_start < hash_end
        ]


class Timed:
    """The passlib context, its hashes timed (every hash and check of the app goes through
    it)."""

    def __init__(self, context: Any, recorder: Recorder) -> None:
        self._context, self._recorder = context, recorder

    def _timed(self, name: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return getattr(self._context, name)(*args)
        finally:
            self._recorder.hashes.append((started, time.perf_counter()))

    def hash(self, *args: Any) -> Any:
        return self._timed("hash", *args)

    def verify(self, *args: Any) -> Any:
        return self._timed("verify", *args)


async def test_no_write_transaction_is_open_while_a_password_is_hashed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction open through a hash holds a pooled connection, and on SQLite the write
    lock (BEGIN IMMEDIATE), for tens of milliseconds: every other writer waits."""
    admin = await api.person(Role.ADMIN)
    person = await api.person(sign_in=False)
    recorder = Recorder()
    monkeypatch.setattr(security, "_passwords", Timed(security._passwords, recorder))
    engine = api.database.engine.sync_engine
    event.listen(engine, "begin", recorder.begin)
    event.listen(engine, "commit", recorder.end)
    event.listen(engine, "rollback", recorder.end)
    try:
        token = "/api/v1/auth/token"
        signed_in = await api.client.post(
            token, data={"username": person.email, "password": PASSWORD}
        )
        assert signed_in.status_code == 200
        wrong = await api.client.post(token, data={"username": person.email, "password": "no"})
        assert wrong.status_code == 401
        registered = await api.client.post("/api/v1/auth/register", json=new_account())
        assert registered.status_code == 201
        body = {**new_account(), "role": "commissioner"}
        created = await api.client.post("/api/v1/users", json=body, headers=admin.headers)
        assert created.status_code == 201
    finally:
        for name, listener in (
            ("begin", recorder.begin),
            ("commit", recorder.end),
            ("rollback", recorder.end),
        ):
            event.remove(engine, name, listener)
    assert len(recorder.hashes) == 4 and len(recorder.writes) >= 4
    assert recorder.overlaps() == []
