"""Schemathesis against the committed OpenAPI document and a real `oversight serve` process:
for every operation, as an anonymous caller and as a signed-in user of each role, a bounded
number of generated requests; no 5xx, and every status, content type, header and body as the
document says. `OVERSIGHT_SCHEMATHESIS_EXAMPLES` raises the bound for a longer run (bench/README.md)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oversight.config import Settings
from oversight.domain.roles import Role
from oversight.main import create_app
from tests.cases import Cast, reach
from tests.conftest import PostgresDatabases, make_settings
from tests.helpers import PASSWORD, Api, serve

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json")
# The coverage phase (every boundary value of every field) is the longer run's: here, only
# explicit examples and a bounded number of generated ones, valid and invalid.
schema.config.phases.coverage.enabled = os.environ.get("OVERSIGHT_SCHEMATHESIS_COVERAGE") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("OVERSIGHT_SCHEMATHESIS_EXAMPLES", "3"))
ROLES = ["anonymous", *(role.value for role in Role)]


@dataclass
class Live:
    base: str
    emails: dict[str, str]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


async def _seed(settings: Settings) -> dict[str, str]:
    """A department, one person of each role, and concerns in several states."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://seed") as client:
        api = Api(client, app.state.database)
        department = await api.department()
        cast = Cast(
            resident=await api.person(Role.RESIDENT),
            commissioner=await api.person(Role.COMMISSIONER),
            officer=await api.person(Role.OFFICER, department_id=department),
            department=department,
        )
        admin = await api.person(Role.ADMIN)
        for status in ("submitted", "referred", "responded", "scheduled", "closed"):
            await reach(api, cast, status, kind="complaint")
    await app.state.database.dispose()
    people = (cast.resident, cast.officer, cast.commissioner, admin)
    return {person.role.value: person.email for person in people}


@pytest.fixture(scope="module")
def live(
    template: str,
    postgres: PostgresDatabases | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Live]:
    name = f"schemathesis_{uuid.uuid4().hex[:8]}"
    if postgres is None:
        path = tmp_path_factory.mktemp("schemathesis") / "live.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        url = postgres.create(f"{postgres.prefix}_{name}", template=template)
    live_settings = make_settings(url)
    emails = asyncio.run(_seed(live_settings))
    with serve(live_settings) as base:
        yield Live(base, emails)
    if postgres is not None:
        postgres.drop(f"{postgres.prefix}_{name}")


@pytest.fixture(params=ROLES)
def caller(request: pytest.FixtureRequest, live: Live) -> dict[str, str]:
    """Headers of a signed-in user of one role (signed in again if a generated logout or
    role change ended the sign-in), or none for an anonymous caller."""
    role: str = request.param
    if role == "anonymous":
        return {}
    headers = live.headers.get(role)
    if headers and httpx.get(f"{live.base}/api/v1/users/me", headers=headers).status_code == 200:
        return headers
    response = httpx.post(
        f"{live.base}/api/v1/auth/token",
        data={"username": live.emails[role], "password": PASSWORD},
    )
    response.raise_for_status()
    live.headers[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return live.headers[role]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_its_contract(
    case: Case[Any], live: Live, caller: dict[str, str]
) -> None:
    case.call_and_validate(base_url=live.base, headers=caller, checks=CHECKS, timeout=30)
