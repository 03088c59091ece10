from __future__ import annotations

from sqlalchemy import text

from oversight.core.config import Settings
from oversight.core.engines import create_sync_engine
from tests.helpers import Api, assert_problem


async def test_healthz(api: Api) -> None:
    response = await api.client.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_migration(api: Api) -> None:
    response = await api.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["migration"]
    assert response.json()["replica"] is None  # none configured


async def test_readyz_is_503_when_the_schema_is_behind(api: Api, settings: Settings) -> None:
    engine = create_sync_engine(settings)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    engine.dispose()
    response = await api.client.get("/readyz")
    assert_problem(response, 503)
    assert response.headers["retry-after"]


async def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    import httpx

    from oversight.main import create_app
    from tests.conftest import make_settings

    if settings.database_url.startswith("sqlite"):
        broken = make_settings("sqlite:////nonexistent-dir/never.db")
    else:
        broken = make_settings("postgresql://postgres@127.0.0.1:1/nowhere")
    app = create_app(broken)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/readyz")
        assert_problem(response, 503)
        public = await client.get("/api/v1/public/categories")
        assert_problem(public, 503)
    await app.state.database.dispose()
