"""Two real API processes on one PostgreSQL: the audit chain stays one straight line."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack

import httpx
import pytest

from oversight import audit
from oversight.config import Settings
from oversight.domain.roles import Role
from tests.helpers import Api, serve

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
    assert audit.verify_rows(everything).intact
