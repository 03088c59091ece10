"""Test helpers: users and departments made through the real services, sign-in over HTTP."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import httpx

from oversight.accounts import directory
from oversight.accounts import service as users
from oversight.accounts.directory_schemas import DepartmentCreate
from oversight.accounts.schemas import UserCreate
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.errors import EXPLANATIONS, ProblemCode
from oversight.core.roles import Role

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@dataclass
class Person:
    id: uuid.UUID
    email: str
    role: Role
    department_id: uuid.UUID | None
    access_token: str = ""
    refresh_token: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Api:
    client: httpx.AsyncClient
    database: Database

    async def department(self, code: str | None = None) -> uuid.UUID:
        code = code or f"D{next(_counter)}"
        async with self.database.unit_of_work() as session:
            department = await directory.create_department(
                session, None, DepartmentCreate(code=code, name=f"Department {code}")
            )
            return department.id

    async def person(
        self,
        role: Role = Role.RESIDENT,
        *,
        department_id: uuid.UUID | None = None,
        sign_in: bool = True,
    ) -> Person:
        if role is Role.OFFICER and department_id is None:
            department_id = await self.department()
        email = f"{role.value}{next(_counter)}-{uuid.uuid4().hex[:6]}@example.org"
        async with self.database.unit_of_work() as session:
            user = await users.create(
                session,
                None,
                UserCreate(
                    email=email,
                    display_name=f"Test {role.value}",
                    role=role,
                    password=PASSWORD,
                    department_id=department_id,
                ),
            )
        person = Person(user.id, email, role, department_id)
        if sign_in:
            await self.sign_in(person)
        return person

    async def sign_in(self, person: Person) -> None:
        response = await self.client.post(
            "/api/v1/auth/token", data={"username": person.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
        person.access_token = tokens["access_token"]
        person.refresh_token = tokens["refresh_token"]
        person.headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    async def audit_events(self, **filters: Any) -> list[dict[str, Any]]:
        """Every audit event matching the filters, read through the API as an admin would."""
        reader = await self.person(Role.ADMIN)
        events: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {**filters, "limit": 200, **({"cursor": cursor} if cursor else {})}
            response = await self.client.get(
                "/api/v1/audit/events", params=params, headers=reader.headers
            )
            assert response.status_code == 200, response.text
            page = response.json()
            events.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return events


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "code", "title", "detail", "instance"} <= body.keys()
    # Every problem names its code, and its type is where that code is explained.
    code = ProblemCode(body["code"])
    assert body["type"] == f"/problems/{code}"
    assert EXPLANATIONS[code][0] == status or code is ProblemCode.ERROR, body
    return body


def signing_key(settings: Settings) -> dict[str, str]:
    """The audit log's key, for a process of the test's own."""
    key = settings.audit_signing_key
    return {"OVERSIGHT_AUDIT_SIGNING_KEY": key.get_secret_value()} if key else {}


def run_cli(
    settings: Settings, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``oversight`` command against the test's database."""
    env = {
        **os.environ,
        "OVERSIGHT_DATABASE_URL": settings.database_url,
        "OVERSIGHT_ENV": "test",
        "OVERSIGHT_SECRET_KEY": settings.signing_key,
        "OVERSIGHT_ATTACHMENTS_STORE": settings.attachments_store,
        **signing_key(settings),
        **(
            {"OVERSIGHT_S3_ENDPOINT_URL": settings.s3_endpoint_url}
            if settings.s3_endpoint_url
            else {}
        ),
    }
    return subprocess.run(
        [sys.executable, "-m", "oversight", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


CONCERNS = "/api/v1/concerns"


def concern_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "complaint",
        "category": "discourtesy",
        "summary": "Officer was rude during a traffic stop",
        "description": "On Elm Street the officer shouted at me and refused to give a name.",
        "occurred_at": "2026-10-01T18:30:00Z",
        "location": {
            "address": "400 Elm St",
            "neighborhood": "Monument Corridor",
            "latitude": 37.97,
            "longitude": -122.03,
        },
    }
    body.update(overrides)
    return body


async def submit(api: Api, person: Person | None = None, **overrides: Any) -> dict[str, Any]:
    headers = person.headers if person else {}
    response = await api.client.post(CONCERNS, json=concern_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def move(
    api: Api, person: Person, concern: dict[str, Any], to: str, **body: Any
) -> httpx.Response:
    """POST a transition with the concern's current version as If-Match."""
    current = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=person.headers)
    etag = current.headers.get("etag", '"0"')
    return await api.client.post(
        f"{CONCERNS}/{concern['id']}/transitions",
        json={"to": to, **body},
        headers={**person.headers, "If-Match": etag},
    )


async def moved(
    api: Api, person: Person, concern: dict[str, Any], to: str, **body: Any
) -> dict[str, Any]:
    response = await move(api, person, concern, to, **body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    settings: Settings,
    extra: dict[str, str] | None = None,
    *,
    options: tuple[str, ...] = (),
    stdout: IO[bytes] | None = None,
) -> Iterator[str]:
    """A real ``oversight serve`` process on loopback against the test's database; ``extra``
    adds to its environment, ``options`` to its command line; its standard output goes to
    ``stdout`` (else nowhere)."""
    port = free_port()
    env = {
        **os.environ,
        "OVERSIGHT_DATABASE_URL": settings.database_url,
        "OVERSIGHT_ENV": "test",
        "OVERSIGHT_SECRET_KEY": settings.signing_key,
        "OVERSIGHT_RATE_LIMITS_ENABLED": "false",
        "OVERSIGHT_ATTACHMENTS_STORE": settings.attachments_store,
        **signing_key(settings),
        **(extra or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "oversight", "serve", "--port", str(port), *options],
        env=env,
        stdout=stdout or subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
