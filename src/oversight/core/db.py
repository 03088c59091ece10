"""Database plumbing: the declarative base, URL handling, engines and the unit of work.

The server uses an async engine (aiosqlite, or asyncpg: psycopg 3's send and wait were a fifth
of a small read's CPU under load, bench/profile.py); migrations and the CLI use a sync engine
(pysqlite or psycopg 3) on the same URL. One request or one CLI command is one transaction: it
commits once on success and rolls back on any error.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, Compiled, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator, Uuid

from oversight.core.config import Settings
from oversight.core.similarity import similarity

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


async def _json_codecs(connection: Any) -> None:
    """JSON decoded as SQLAlchemy's asyncpg dialect decodes it (``setup_asyncpg_json_codec``)."""
    for kind, prefix in (("json", b""), ("jsonb", b"\x01")):
        await connection.set_type_codec(
            kind,
            encoder=lambda text, head=prefix: head + text.encode(),
            decoder=lambda raw, cut=len(prefix): json.loads(raw[cut:].decode()),
            schema="pg_catalog",
            format="binary",
        )


async def _nothing_to_reset(_connection: Any) -> None:
    """Instead of asyncpg's reset query on every release (``RESET ALL``, ``UNLISTEN *``, ...:
    a round trip per statement run): these connections never change their session (no SET,
    LISTEN, cursor or session lock). An open transaction is still rolled back by asyncpg."""


class _Prepared:
    """A statement compiled once: its SQL, and how named values become positional ones."""

    def __init__(self, compiled: Compiled) -> None:
        self.sql = compiled.string
        self._compiled = compiled
        self._names: tuple[str, ...] = tuple(getattr(compiled, "positiontup", None) or ())
        processors: Mapping[str, Callable[[Any], Any]] = getattr(compiled, "_bind_processors", {})
        self._processors = {name: processors[name] for name in self._names if name in processors}

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = self._compiled.construct_params(dict(params)) or {}
        return [
            self._processors[name](values[name]) if name in self._processors else values[name]
            for name in self._names
        ]


class Direct:
    """The hottest paths on the bare driver: a Core statement built once, run without a session.

    Every authenticated request checks its caller, a concern read is one SELECT by id, and on
    PostgreSQL an intake is one call of ``concern_submit`` (migration 20261126_15).
    Through an ``AsyncSession`` each paid for the session, its connection checkout and
    autobegin, the greenlet bridge, the compiled-cache lookup and the result wrapping: more CPU
    than the driver and PostgreSQL together (bench/profile.py). On PostgreSQL a statement is
    compiled once with the engine's own dialect (the SQL SQLAlchemy would send, bind casts
    included) and run on a pool of bare asyncpg connections in autocommit, as
    ``Reads.STATEMENTS``: it sees what was committed when it started. The statement stays
    SQLAlchemy's, one definition for both databases; only the executor differs, and rows are
    dicts of the driver's values, which for the statements run here are SQLAlchemy's values
    too (tests/core/test_direct.py compares them). On SQLite: the engine, a deferred read
    (only reads go through it there).
    """

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self._settings = settings
        self._engine = engine
        self.dialect = str(engine.dialect.name)
        self._postgres = self.dialect == "postgresql"
        # An asyncpg.Pool, made on first use: an app is built outside any event loop.
        self._pool: Any = None
        self._opening = asyncio.Lock()
        #: asyncpg's exceptions: what the database failed with, and which of those lost the
        #: connection (set with the pool).
        self._failures: tuple[type[Exception], ...] = ()
        self._lost: tuple[type[Exception], ...] = ()
        self._prepared: dict[int, tuple[Executable, _Prepared]] = {}

    async def first(
        self, statement: Executable, params: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The statement's first row as a dict, or None. On PostgreSQL it is a transaction
        of its own."""
        if not self._postgres:
            async with self._engine.connect() as connection:
                reading = await connection.execution_options(**{READS_OPTION: True})
                row = (await reading.execute(statement, params)).mappings().first()
                return dict(row) if row is not None else None
        async with self._connection() as connection:
            return await self._run(connection, statement, params)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        pool = self._pool or await self.pool()
        try:
            async with pool.acquire(timeout=self._settings.db_pool_timeout_seconds) as connection:
                yield connection
        except self._failures as exc:
            # Raised as SQLAlchemy would raise it, for the same answer (errors.py: a lost
            # connection or a retryable SQLSTATE is a 503).
            lost = isinstance(exc, self._lost)
            kind = OperationalError if lost else DBAPIError
            raise kind(None, None, exc, connection_invalidated=lost) from exc

    async def _run(
        self, connection: Any, statement: Executable, params: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        prepared = self._prepare(statement)
        record = await connection.fetchrow(prepared.sql, *prepared.arguments(params))
        return dict(record.items()) if record is not None else None

    def _prepare(self, statement: Executable) -> _Prepared:
        # By identity: the statements run here are built once, at import.
        known = self._prepared.get(id(statement))
        if known is not None and known[0] is statement:
            return known[1]
        compiled = statement.compile(dialect=self._engine.dialect)  # type: ignore[attr-defined]
        self._prepared[id(statement)] = (statement, prepared := _Prepared(compiled))
        return prepared

    async def pool(self) -> Any:
        """The asyncpg pool, opened on first use."""
        async with self._opening:
            if self._pool is None:
                import asyncpg  # here, not at the top: the CLI never needs it

                self._failures = (asyncpg.PostgresError, asyncpg.InterfaceError)
                self._lost = (asyncpg.InterfaceError, asyncpg.PostgresConnectionError)
                _, options = self._engine.dialect.create_connect_args(self._engine.url)
                options.pop("prepared_statement_cache_size", None)
                self._pool = await asyncpg.create_pool(
                    **options,
                    **asyncpg_connect_args(self._settings),
                    min_size=1,
                    max_size=self._settings.db_pool_size,
                    init=_json_codecs,
                    reset=_nothing_to_reset,
                )
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


class InSession:
    """``Direct.first`` inside a unit of work, on its transaction (it sees what that wrote)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.dialect = dialect_name(session)

    async def first(
        self, statement: Executable, params: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        found = await (await self._session.connection()).execute(statement, params)
        row = found.mappings().first()
        return dict(row) if row is not None else None


#: Where a statement built once is run: on its own (``Direct``) or in a unit of work.
Rows = Direct | InSession


class Database:
    """The server's engine and session factory, owned by the app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
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
        self.direct = Direct(settings, self.engine)

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
        await self.direct.close()
        await self.engine.dispose()
        if self.reader is not None:
            await self.reader.dispose()
