"""Database plumbing: the declarative base, the bare driver's hot paths and the unit of work
(engines and URLs: ``core.engines``; the read replica: ``core.replica``).

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
from typing import Any

from sqlalchemy import DateTime, MetaData
from sqlalchemy.engine import Compiled
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator, Uuid

from oversight.core.config import Settings
from oversight.core.engines import READS_OPTION, Pools, Reads, asyncpg_connect_args
from oversight.core.replica import ANSWERING, Attempt, Replica, noting_failure

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


class Database(Pools):
    """The server's engines and session factory, owned by the app: the primary's, and a
    streaming replica's for anonymous public reads where one is configured (``replica``)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, settings.database_url)
        self.settings = settings
        self.direct = Direct(settings, self.engine)
        url = settings.replica_url
        self.replica = Replica(settings, url, settings.database_url) if url else None

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one statement that writes nothing, on the database answering this
        request (``core.replica``): on PostgreSQL, from the autocommit pool."""
        pools, attempt = self._answering(Reads.STATEMENTS)
        with noting_failure(attempt):
            async with (pools.reader or pools.engine).connect() as connection:
                yield connection

    def _answering(self, reads: Reads | None) -> tuple[Pools, Attempt | None]:
        attempt = ANSWERING.get() if reads is not None else None
        return (attempt.replica if attempt is not None else self), attempt

    @asynccontextmanager
    async def unit_of_work(self, reads: Reads | None = None) -> AsyncIterator[AsyncSession]:
        """One transaction: commit on success, roll back on error.

        An error that says ``persist`` (a failed sign-in that must still be audited, a reused
        refresh token whose family must stay revoked) commits what was written, then re-raises.
        ``reads`` is for work that writes nothing (see ``Reads``).
        """
        pools, attempt = self._answering(reads)
        if reads is Reads.STATEMENTS and pools.statement_sessions is not None:
            factory = pools.statement_sessions  # autocommit already: nothing to set
        else:
            factory = pools.sessions
        with noting_failure(attempt):
            async with factory() as session:
                if reads is not None and factory is pools.sessions:
                    options = {"isolation_level": reads.value} if pools.postgres else {}
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

    def answering(self) -> str:
        """Which database answers this request's reads: ``replica`` or ``primary`` (what a
        cache of computed figures keys them by, as they describe that database's state)."""
        return "replica" if ANSWERING.get() is not None else "primary"

    async def dispose(self) -> None:
        if self.replica is not None:
            await self.replica.dispose()
        await self.direct.close()
        await super().dispose()
