from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.main import create_app
from tests.cases import Cast
from tests.conftest import make_settings
from tests.helpers import Api


@pytest.fixture
async def cast(api: Api) -> Cast:
    department = await api.department()
    return Cast(
        resident=await api.person(Role.RESIDENT),
        commissioner=await api.person(Role.COMMISSIONER),
        officer=await api.person(Role.OFFICER, department_id=department),
        department=department,
    )


@pytest.fixture
async def tight(settings: Settings) -> AsyncIterator[Api]:
    """PostgreSQL only: the test's database behind an app with one connection in each pool, a
    0.5 s pool timeout and a 1 s statement timeout (pools, lock and statement timeouts are
    PostgreSQL's: SQLite serializes writers and reads through one engine)."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("pool and statement timeouts are PostgreSQL's")
    app = create_app(
        make_settings(
            settings.database_url,
            db_pool_size=1,
            db_pool_timeout_seconds=0.5,
            db_statement_timeout_ms=1000,
        )
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, app.state.database)
    await app.state.database.dispose()
