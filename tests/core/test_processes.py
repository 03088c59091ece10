"""Two real API processes on one PostgreSQL: the audit chain stays one straight line."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack

import httpx
import pytest

from oversight.core import chain
from oversight.core.config import Settings
from oversight.core.roles import Role
from tests.helpers import Api, concern_body, serve

pytestmark = pytest.mark.slow


async def test_two_processes_one_chain(api: Api, settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several processes share one PostgreSQL; SQLite is the single-process default")
    admin = await api.person(Role.ADMIN)
    with ExitStack() as stack:
        bases = [stack.enter_context(serve(settings)) for _ in range(2)]
        async with httpx.AsyncClient(timeout=30) as client:

            async def create(i: int) -> int:
                response = await client.post(
                    f"{bases[i % 2]}/api/v1/departments",
                    json={"code": f"P{i}", "name": f"Dept {i}"},
                    headers=admin.headers,
                )
                return response.status_code

            statuses = await asyncio.gather(*(create(i) for i in range(120)))
    assert statuses == [201] * 120
    events = await api.audit_events(action="department.created")
    assert len(events) == 120
    everything = await api.audit_events()
    assert chain.verify_rows(everything).intact


async def test_two_processes_interleaved_concern_changes(api: Api, settings: Settings) -> None:
    """Twelve concerns walked to `closed` at once, each step through the other process, and at
    every step the same move raced through both: one wins, the other is told (412/409), no
    change is lost and every change is audited once."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several processes share one PostgreSQL; SQLite is the single-process default")
    department = await api.department()
    chair = await api.person(Role.COMMISSIONER)
    officer = await api.person(Role.OFFICER, department_id=department)
    resident = await api.person(Role.RESIDENT)
    steps: list[tuple[str, dict[str, object]]] = [
        ("triaged", {}),
        ("referred", {"department_id": str(department)}),
        ("response", {}),
        ("under_review", {}),
        ("resolved", {"disposition": "acknowledged"}),
        ("closed", {}),
    ]
    with ExitStack() as stack:
        bases = [stack.enter_context(serve(settings)) for _ in range(2)]
        async with httpx.AsyncClient(timeout=30) as client:

            async def walk(n: int) -> list[int]:
                created = await client.post(
                    f"{bases[n % 2]}/api/v1/concerns",
                    json=concern_body(kind="inquiry"),
                    headers=resident.headers,
                )
                assert created.status_code == 201, created.text
                concern = created.json()
                url = f"/api/v1/concerns/{concern['id']}"
                losers = []
                for i, (to, body) in enumerate(steps):
                    if to == "response":
                        answer = await client.post(
                            f"{bases[(n + i) % 2]}{url}/responses",
                            json={"body": "Answered.", "action_taken": "none"},
                            headers=officer.headers,
                        )
                        assert answer.status_code == 201, answer.text
                        continue
                    current = await client.get(f"{bases[(n + i) % 2]}{url}", headers=chair.headers)
                    headers = {**chair.headers, "If-Match": current.headers["etag"]}
                    race = await asyncio.gather(
                        *(
                            client.post(
                                f"{base}{url}/transitions", json={"to": to, **body}, headers=headers
                            )
                            for base in bases
                        )
                    )
                    codes = sorted(r.status_code for r in race)
                    assert codes[0] == 200, [r.text for r in race]
                    losers.append(codes[1])
                return losers

            results = await asyncio.gather(*(walk(n) for n in range(12)))
    assert all(code in {409, 412} for losers in results for code in losers)
    listed = await api.client.get("/api/v1/concerns", params={"limit": 50}, headers=chair.headers)
    concerns = listed.json()["items"]
    assert len(concerns) == 12
    # submit (1) + five transitions + the response: version 7, nothing lost, nothing doubled.
    assert {(c["status"], c["version"]) for c in concerns} == {("closed", 7)}
    moves = await api.audit_events(entity_type="concern")
    assert len(moves) == 12 * 7
    assert chain.verify_rows(await api.audit_events()).intact
