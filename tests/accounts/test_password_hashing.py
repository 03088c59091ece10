"""Password hashing does not stall the event loop (issue 25, item 11): argon2 costs tens of
milliseconds of CPU, and on the loop every other request of the process waited for it. Each
hash and check made through HTTP must run on another thread, and outside a write transaction."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from oversight.core import security
from oversight.core.engines import READS_OPTION
from oversight.core.roles import Role
from tests.helpers import PASSWORD, Api

Request = Callable[[], Awaitable[httpx.Response]]


async def assert_loop_free(request: Request, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hash and check ``request`` makes runs on a thread other than the loop's. (Which
    thread, not how long the loop waited: a timing would depend on the machine's load.)"""
    await request()  # warm: first-use imports, compiled statements, the common-password list
    recorder = Recorder()
    monkeypatch.setattr(security, "_passwords", Timed(security._passwords, recorder))
    response = await request()
    assert response.status_code < 300, response.text
    assert recorder.threads, "no password was hashed or checked"
    assert threading.get_ident() not in recorder.threads, "a hash ran on the event loop"


def new_account() -> dict[str, str]:
    return {
        "email": f"resident-{uuid.uuid4().hex[:8]}@example.org",
        "password": "ferry lantern 7 okra",
        "display_name": "Resident",
    }


async def test_a_sign_in_does_not_stall_the_loop(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    person = await api.person(sign_in=False)
    form = {"username": person.email, "password": PASSWORD}

    async def request() -> httpx.Response:
        return await api.client.post("/api/v1/auth/token", data=form)

    await assert_loop_free(request, monkeypatch)


async def test_a_wrong_password_or_e_mail_does_not_stall_the_loop(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
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

        await assert_loop_free(request, monkeypatch)


async def test_registration_does_not_stall_the_loop(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def request() -> httpx.Response:
        return await api.client.post("/api/v1/auth/register", json=new_account())

    await assert_loop_free(request, monkeypatch)


async def test_creating_a_user_does_not_stall_the_loop(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await api.person(Role.ADMIN)

    async def request() -> httpx.Response:
        body = {**new_account(), "role": "commissioner"}
        return await api.client.post("/api/v1/users", json=body, headers=admin.headers)

    await assert_loop_free(request, monkeypatch)


class Recorder:
    """When each password hash ran, and when each writing transaction of the app was open."""

    def __init__(self) -> None:
        self.hashes: list[tuple[float, float]] = []
        self.threads: set[int] = set()
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
        self._recorder.threads.add(threading.get_ident())
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
