"""How the server and the CLI reach a database: URLs naming their drivers, engines (async for
the server, sync for migrations and the CLI), the session factories of one server (``Pools``),
and how a unit of work that writes nothing reads (``Reads``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from oversight.core.config import Settings
from oversight.core.similarity import similarity


def driver_url(url: str, *, asynchronous: bool) -> URL:
    """Turn the plain URL from settings into one naming the driver this process uses."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite" if asynchronous else "sqlite+pysqlite")
    if backend == "postgresql" and asynchronous:
        # asyncpg names libpq's ``sslmode`` ``ssl`` (same values).
        query = dict(parsed.query)
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        return parsed.set(drivername="postgresql+asyncpg", query=query)
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database: {backend} (use sqlite:// or postgresql://)")


def _configure_sqlite(sync_engine: Engine) -> None:
    """Foreign keys on, WAL, and BEGIN IMMEDIATE so that writers queue instead of failing."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        # pg_trgm's similarity(), so that name searches match the same names on both.
        dbapi_connection.create_function("similarity", 2, similarity, deterministic=True)

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reading unit of work takes no write lock: a deferred BEGIN is a snapshot in WAL.
        reads = connection.get_execution_options().get(READS_OPTION)
        connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")


def asyncpg_connect_args(settings: Settings) -> dict[str, Any]:
    """What every asyncpg connection of the server is opened with."""
    return {
        "timeout": 3,
        "server_settings": {
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "timezone": "UTC",
        },
    }


def create_server_engine(
    settings: Settings, *, autocommit: bool = False, url: str | None = None
) -> AsyncEngine:
    """The server's engine (on ``url``, by default the database's); ``autocommit``
    (PostgreSQL): one whose connections run each statement on its own, set once per
    connection rather than on every checkout."""
    target = driver_url(url or settings.database_url, asynchronous=True)
    if target.get_backend_name() == "sqlite":
        engine = create_async_engine(target, connect_args={"timeout": 10})
        _configure_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(
        target,
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
        # No pre-ping (a round trip on every checkout): a connection that died with the server
        # fails its request with a 503, and that disconnect invalidates the whole pool at once.
        connect_args=asyncpg_connect_args(settings),
    )


def create_sync_engine(settings: Settings) -> Engine:
    url = driver_url(settings.database_url, asynchronous=False)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"})


READS_OPTION = "oversight_reads"


class Reads(StrEnum):
    """How a unit of work that writes nothing reads, on PostgreSQL (SQLite: a deferred BEGIN).

    ``STATEMENTS``: no transaction; each statement sees what was committed when it started.
    Saves the BEGIN and COMMIT round trips of a request that reads the caller and then answers
    with one query. ``SNAPSHOT``: every statement sees the same snapshot (a report's figures).
    """

    STATEMENTS = "AUTOCOMMIT"
    SNAPSHOT = "REPEATABLE READ"


class OversightSession(Session):
    """The ORM session of every unit of work; ``audit`` hooks its commit to append events."""


class Pools:
    """One server's engines: a pool for units of work and, on PostgreSQL, a second one in
    autocommit for ``Reads.STATEMENTS`` (most GETs), instead of switching a connection of the
    first pool to autocommit and back on every request (A/B, wrk: ``users/me`` 1.23-1.25x;
    bench/README.md). SQLite: the first only."""

    def __init__(self, settings: Settings, url: str) -> None:
        self.engine = create_server_engine(settings, url=url)
        self.sessions = self._sessionmaker(self.engine)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.reader = (
            create_server_engine(settings, url=url, autocommit=True) if self.postgres else None
        )
        self.statement_sessions = (
            self._sessionmaker(self.reader) if self.reader is not None else None
        )

    @staticmethod
    def _sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(
            engine, expire_on_commit=False, autoflush=False, sync_session_class=OversightSession
        )

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.reader is not None:
            await self.reader.dispose()
