"""Every test gets its own database, built once by ``alembic upgrade head`` and cloned.

SQLite: the migrated template file is copied. PostgreSQL (``OVERSIGHT_TEST_DATABASE_URL``):
``CREATE DATABASE ... TEMPLATE``. Each test therefore runs against a real, committed database
exactly as the server would, with triggers and constraints, and no test sees another's rows.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from oversight.audit.checkpoint import generate_key
from oversight.core.config import Settings
from oversight.core.migrations_info import alembic_config
from oversight.core.roles import Role
from oversight.main import create_app
from tests.cases import Cast
from tests.contract import ContractCheck
from tests.helpers import Api

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
#: The key the tests' audit log signs its checkpoints with (made once a run).
TEST_AUDIT_KEY = generate_key("testserver/audit")[0]
PG_URL = os.environ.get("OVERSIGHT_TEST_DATABASE_URL")
CHROMIUM = Path("/usr/bin/chromium")
#: Where the tests' attachments are kept unless a test names a store of its own (content-
#: addressed: tests sharing it cannot disturb each other).
ATTACHMENTS = Path(tempfile.gettempdir()) / f"oversight-test-attachments-{os.getpid()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run once per CI run, in its PostgreSQL pass, against Debian's Chromium
    (`.ci/run` installs it). Outside CI a machine without it skips them, saying so."""
    if PG_URL is None:
        reason = "browser tests run once per CI run, in its PostgreSQL pass"
    elif not CHROMIUM.exists() and not os.environ.get("CI"):
        reason = f"no {CHROMIUM} (apt-get install chromium)"
    else:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "env": "test",
        "secret_key": TEST_SECRET,
        "rate_limits_enabled": False,
        # Each summary computed afresh; tests/reports/test_public_caching.py turns the cache on.
        "summary_cache_seconds": 0,
        "attachments_store": f"file://{ATTACHMENTS}",
        "audit_signing_key": TEST_AUDIT_KEY,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def migrate(url: str, revision: str = "head") -> None:
    config = alembic_config(make_settings(url))
    config.attributes["quiet_logging"] = True
    command.upgrade(config, revision)


class PostgresDatabases:
    """Creates and drops per-test databases next to the one the URL names."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(
            self.url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        self.prefix = f"{self.url.database}_{uuid.uuid4().hex[:6]}"

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as connection:
            suffix = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        return self.url_for(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases | None]:
    if PG_URL is None:
        yield None
        return
    databases = PostgresDatabases(PG_URL)
    yield databases
    databases.admin.dispose()


@pytest.fixture(scope="session")
def template(
    postgres: PostgresDatabases | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database to clone: a file path (SQLite) or a database name (PostgreSQL)."""
    if postgres is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        migrate(f"sqlite:///{path}")
        yield str(path)
        return
    name = f"{postgres.prefix}_template"
    migrate(postgres.create(name))
    yield name
    postgres.drop(name)


@pytest.fixture
def fresh_database_url(postgres: PostgresDatabases | None, tmp_path: Path) -> Iterator[str]:
    """An empty database (no migrations): for the migration tests."""
    if postgres is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"{postgres.prefix}_{uuid.uuid4().hex[:8]}"
    url = postgres.create(name)
    yield url
    postgres.drop(name)


@pytest.fixture
def database_url(
    template: str, postgres: PostgresDatabases | None, tmp_path: Path
) -> Iterator[str]:
    if postgres is None:
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    name = f"{postgres.prefix}_{uuid.uuid4().hex[:8]}"
    url = postgres.create(name, template=template)
    yield url
    postgres.drop(name)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    # Every answer is checked against its route's response model (tests/contract.py).
    transport = httpx.ASGITransport(app=ContractCheck(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, app.state.database)
    await app.state.database.dispose()


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
