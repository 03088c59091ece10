"""Schemathesis against the committed OpenAPI document and a real `oversight serve` process:
no 5xx, and every status, content type, header and body as the document says.

Two sizes:
- by default (the smoke run), for every operation and each caller (anonymous, and a signed-in
  user of each role), the explicit examples and 3 generated requests;
- `OVERSIGHT_FUZZ=full` (CI's PostgreSQL pass), for every operation: the explicit examples, the
  coverage phase (boundary and invalid values of every field) and at least 50 generated
  requests, each sent as one of the five callers (chosen from the request, so a replay is the
  same request from the same caller); then the stateful phase: scenarios that follow the links
  Schemathesis infers between operations (an id one answer returns, used by the next request),
  as each signed-in role. Each phase's count is printed at the end.

`OVERSIGHT_SCHEMATHESIS_EXAMPLES` sets the generated requests per operation, and
`OVERSIGHT_FUZZ_SCENARIOS` the stateful scenarios per role (bench/README.md)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import Case, Response
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.main import create_app
from tests.cases import Cast, reach
from tests.conftest import PostgresDatabases, make_settings
from tests.helpers import PASSWORD, Api, serve

ROOT = Path(__file__).resolve().parents[2]
FULL = os.environ.get("OVERSIGHT_FUZZ") == "full"
schema = schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json")
# The coverage phase (every boundary value of every field) is the full run's: the smoke run has
# only explicit examples and a few generated ones, valid and invalid.
schema.config.phases.coverage.enabled = (
    FULL or os.environ.get("OVERSIGHT_SCHEMATHESIS_COVERAGE") == "1"
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("OVERSIGHT_SCHEMATHESIS_EXAMPLES", "50" if FULL else "3"))
SCENARIOS = int(os.environ.get("OVERSIGHT_FUZZ_SCENARIOS", "25"))
ROLES = ["anonymous", *(role.value for role in Role)]
#: Requests sent, by phase (examples, coverage, fuzzing, stateful), and the stateful
#: scenarios run, printed at the end.
SENT: Counter[str] = Counter()
#: Generated (fuzzing) requests by operation: an operation with few possible inputs (none, or
#: only enums) runs out before the bound.
FUZZED: Counter[str] = Counter()


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


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if SENT:
        counts = ", ".join(f"{phase} {n}" for phase, n in sorted(SENT.items()))
        line = f"schemathesis: {counts}"
        if FULL and FUZZED:  # the smoke run's callers share an operation's count
            fewest = min(FUZZED.values())
            short = sorted(label for label, n in FUZZED.items() if n < EXAMPLES)
            line += (
                f"; fuzzing per operation: {len(FUZZED)} operations, fewest {fewest}, "
                f"{len(short)} under {EXAMPLES} (their inputs ran out) {short}"
            )
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if capture is not None and reporter is not None:
            with capture.global_and_fixture_disabled():  # shown even when the tests pass
                reporter.write_line(line)


def signed_in(live: Live, role: str) -> dict[str, str]:
    """Headers of a signed-in user of ``role`` (signed in again if a generated logout or role
    change ended the sign-in), or none for an anonymous caller."""
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


def role_of(case: Case[Any]) -> str:
    """One of the five callers, chosen from the request itself: the same request (a replay,
    a shrink's step) always goes as the same caller."""
    parts = (case.path_parameters, case.query, case.body, case.headers, case.cookies)
    digest = hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).digest()
    return ROLES[digest[0] % len(ROLES)]


@pytest.fixture(params=["by request"] if FULL else ROLES)
def caller(request: pytest.FixtureRequest, live: Live) -> Callable[[Case[Any]], dict[str, str]]:
    """Each case's headers: one caller per test in the smoke run; in the full run, a caller
    per request, so each operation's examples are spread over all five."""
    chosen: str = request.param
    if chosen != "by request":
        headers = signed_in(live, chosen)
        return lambda case: headers
    every = {role: signed_in(live, role) for role in ROLES}
    return lambda case: every[role_of(case)]


def refused_by_the_http_server(response: Response) -> bool:
    """uvicorn's own answer to a request it cannot parse (the coverage phase repeats a query
    parameter until the request line is over h11's 16 KiB): a plain-text 400 that never
    reached the application, so not the document's to describe."""
    return (
        response.status_code == 400
        and response.headers.get("content-type", [""])[0].startswith("text/plain")
        and response.text == "Invalid HTTP request received."
    )


def _count(case: Case[Any]) -> None:
    phase = case.meta.phase.name.value if case.meta else "unknown"
    SENT[phase] += 1
    if phase == "fuzzing":
        FUZZED[case.operation.label] += 1


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_its_contract(
    case: Case[Any], live: Live, caller: Callable[[Case[Any]], dict[str, str]]
) -> None:
    _count(case)
    response = case.call(base_url=live.base, headers=caller(case), timeout=30)
    if not refused_by_the_http_server(response):
        case.validate_response(response, checks=CHECKS)


@pytest.mark.skipif(not FULL, reason="the full run's (OVERSIGHT_FUZZ=full)")
@pytest.mark.parametrize("role", [role.value for role in Role])
def test_scenarios_that_follow_links_keep_the_contract(live: Live, role: str) -> None:
    """Stateful: sequences of requests along the links inferred between operations (the id a
    POST or a list returns, sent to the operations that take it), as one signed-in role.

    As Schemathesis's own runner does, a failed check is recorded, not raised: a scenario
    cannot be replayed against a server whose state it changed, so shrinking one only ends in
    Hypothesis's "flaky" error, which here just ends a run early (the next one goes on)."""
    machine = schema.as_state_machine()
    failures: list[str] = []
    ran = 0

    class Scenario(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            nonlocal ran
            ran += 1
            SENT["stateful scenarios"] += 1
            self.headers = signed_in(live, role)  # once a scenario: a step may sign it out

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            _count(case)
            return {"base_url": live.base, "headers": self.headers, "timeout": 30}

        def validate_response(
            self, response: Response, case: Case[Any], *args: Any, **kwargs: Any
        ) -> None:
            if refused_by_the_http_server(response):
                return
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as exc:
                failures.append(str(exc))

    for _ in range(5):
        if ran >= SCENARIOS:
            break
        try:
            run_state_machine_as_test(
                Scenario,
                settings=settings(
                    max_examples=SCENARIOS - ran,
                    stateful_step_count=10,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    phases=[Phase.generate],
                    database=None,
                ),
            )
        except Flaky:
            continue
    assert not failures, "\n\n".join(failures[:5])
