"""Database plumbing: the declarative base, URL handling, engines and the unit of work.

The server uses an async engine (aiosqlite, or asyncpg: psycopg 3's send and wait were a fifth
of a small read's CPU under load, bench/profile.py); migrations and the CLI use a sync engine
(pysqlite or psycopg 3) on the same URL. One request or one CLI command is one transaction: it
commits once on success and rolls back on any error.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator, Uuid

from oversight.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name == "postgresql":
            return None  # the server sends UTC (the connection's TimeZone) with its offset
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}  # noqa: RUF012


_clock: ContextVar[Callable[[], datetime] | None] = ContextVar("oversight_clock", default=None)


def utcnow() -> datetime:
    """Now, in UTC. Every timestamp the app writes comes from here."""
    clock = _clock.get()
    return clock() if clock is not None else datetime.now(UTC)


@contextmanager
def simulated_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Run with another notion of now: only for generating a backdated demo history."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)


def dialect_name(session: AsyncSession) -> str:
    bind = session.get_bind()
    return str(bind.dialect.name)


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

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reading unit of work takes no write lock: a deferred BEGIN is a snapshot in WAL.
        reads = connection.get_execution_options().get(READS_OPTION)
        connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")


def create_server_engine(settings: Settings, *, autocommit: bool = False) -> AsyncEngine:
    """The server's engine; ``autocommit`` (PostgreSQL): one whose connections run each
    statement on its own, set once per connection rather than on every checkout."""
    url = driver_url(settings.database_url, asynchronous=True)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 10})
        _configure_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(
        url,
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
        # No pre-ping (a round trip on every checkout): a connection that died with the server
        # fails its request with a 503, and that disconnect invalidates the whole pool at once.
        connect_args={
            "timeout": 3,
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "timezone": "UTC",
            },
        },
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


class Database:
    """The server's engine and session factory, owned by the app."""

    def __init__(self, settings: Settings) -> None:
        self.engine = create_server_engine(settings)
        self.sessions = self._sessionmaker(self.engine)
        #: PostgreSQL: a second pool, in autocommit, for ``Reads.STATEMENTS`` (most GETs),
        #: instead of switching a connection of the first pool to autocommit and back on
        #: every request (A/B, wrk: ``users/me`` 1.23-1.25x; bench/README.md). SQLite: none.
        self.postgres = self.engine.dialect.name == "postgresql"
        self.reader = create_server_engine(settings, autocommit=True) if self.postgres else None
        self.statement_sessions = (
            self._sessionmaker(self.reader) if self.reader is not None else None
        )

    @staticmethod
    def _sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(
            engine, expire_on_commit=False, autoflush=False, sync_session_class=OversightSession
        )

    @asynccontextmanager
    async def unit_of_work(self, reads: Reads | None = None) -> AsyncIterator[AsyncSession]:
        """One transaction: commit on success, roll back on error.

        An error that says ``persist`` (a failed sign-in that must still be audited, a reused
        refresh token whose family must stay revoked) commits what was written, then re-raises.
        ``reads`` is for work that writes nothing (see ``Reads``).
        """
        if reads is Reads.STATEMENTS and self.statement_sessions is not None:
            factory = self.statement_sessions  # autocommit already: nothing to set
        else:
            factory = self.sessions
        async with factory() as session:
            if reads is not None and factory is self.sessions:
                options = {"isolation_level": reads.value} if self.postgres else {}
                await session.connection(execution_options={**options, READS_OPTION: True})
            try:
                yield session
            except BaseException as exc:
                if getattr(exc, "persist", False):
                    await session.commit()
                else:
                    await session.rollback()
                raise
            await session.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.reader is not None:
            await self.reader.dispose()
