"""A streaming replica for the public's reads (API.md "Trust at scale"), and whether it may
answer now.

How far behind it is, is measured, not read from a timestamp: each check reads the primary's
WAL position, then the replica's replay position, and keeps the primary's positions of the last
checks with the time each was read. The replica has everything the primary had at the latest of
those times whose position it has replayed, so its lag is the time since then (0 when it has
replayed what the primary had at this check; a replica behind every position kept is not used
until it catches up with one). An idle primary shows no lag (a transaction
timestamp would grow old with nothing to replay), and a replica whose replay is paused or whose
stream broke shows the lag it has. A replica that is down, not a standby any more, or lags more
than ``replica_max_lag_seconds`` is skipped until a check finds it well again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from oversight.core.config import Settings
from oversight.core.engines import Pools, asyncpg_connect_args, driver_url

log = logging.getLogger("oversight.replica")

_PRIMARY = text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
_REPLICA = text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() - '0/0'::pg_lsn")


class Replica(Pools):
    #: How often a process checks the replica while it serves requests, and how long a check
    #: may take before the replica counts as unreachable.
    CHECK_SECONDS = 1.0
    CHECK_TIMEOUT_SECONDS = 1.5
    #: A check older than this is not trusted (a process that served nothing for a while).
    TRUSTED_SECONDS = 3.0

    def __init__(self, settings: Settings, url: str, primary_url: str) -> None:
        super().__init__(settings, url)
        self.max_lag = settings.replica_max_lag_seconds
        # The checks' own connections, one at a time and opened for each check: never one of
        # the pools that serve requests (a full pool would read as a replica fault).
        self._probes = tuple(
            create_async_engine(
                driver_url(target, asynchronous=True),
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
                connect_args=asyncpg_connect_args(settings),
            )
            for target in (primary_url, url)
        )
        #: As of the last check: may it answer, how far behind it was, and if not, why.
        self.ok = False
        self.lag_seconds: float | None = None
        self.reason = "not checked yet"
        self._positions: deque[tuple[float, int]] = deque()
        self._started = -float("inf")
        self._confirmed = -float("inf")
        #: Bumped by each ``set_down``: a check begun before it does not undo it.
        self._generation = 0
        self._lock = asyncio.Lock()
        self._checking: asyncio.Task[None] | None = None

    def usable(self) -> bool:
        """Whether a recent check found it well; starts the next check when one is due (in
        the background, in a context of its own: a request never waits for it)."""
        now = time.monotonic()
        if now - self._started >= self.CHECK_SECONDS and self._checking is None:
            self._started = now
            self._checking = asyncio.get_running_loop().create_task(
                self._check_in_background(), context=contextvars.Context()
            )
        return self.ok and now - self._confirmed < self.TRUSTED_SECONDS

    async def _check_in_background(self) -> None:
        try:
            await self.check()
        finally:
            self._checking = None

    async def check(self) -> None:
        """Measure the lag now (``/readyz`` asks for one of its own); one check at a time."""
        async with self._lock:
            generation = self._generation
            try:
                async with asyncio.timeout(self.CHECK_TIMEOUT_SECONDS):
                    measured = await self._measure()
            except TimeoutError:
                self.lag_seconds = None
                measured = f"unreachable: no answer in {self.CHECK_TIMEOUT_SECONDS:g} s"
            if measured is not None:
                self.set_down(measured)
            elif generation == self._generation:
                if not self.ok:
                    log.info("replica in use (lag %.3f s)", self.lag_seconds)
                self.ok, self.reason, self._confirmed = True, "", time.monotonic()

    async def _measure(self) -> str | None:
        """Read both positions and set the lag; why the replica may not answer, if it may not."""
        primary, replica = self._probes
        try:
            async with primary.connect() as connection:
                position = int((await connection.execute(_PRIMARY)).scalar_one())
        except (SQLAlchemyError, OSError) as exc:
            return f"the primary did not answer the check: {type(exc).__name__}"
        read_at = time.monotonic()
        try:
            async with replica.connect() as connection:
                standby, replayed = (await connection.execute(_REPLICA)).one()
        except (SQLAlchemyError, OSError) as exc:
            self.lag_seconds = None
            return f"unreachable: {type(exc).__name__}"
        if not standby:
            self.lag_seconds = None
            return "not a standby (promoted?): its writes are not the primary's"
        self._positions.append((read_at, position))
        while self._positions and self._positions[0][0] < read_at - 2 * self.max_lag - 10:
            self._positions.popleft()
        caught_up = [at for at, reached in self._positions if reached <= int(replayed)]
        if not caught_up:  # behind every position kept: at least as far behind as the oldest
            behind = read_at - self._positions[0][0]
            self.lag_seconds = None
            return f"has not replayed what the primary had {behind:.1f} s ago"
        self.lag_seconds = round(read_at - max(caught_up), 3)
        if self.lag_seconds > self.max_lag:
            return f"lags {self.lag_seconds:.1f} s (more than {self.max_lag:g} s)"
        return None

    def set_down(self, reason: str) -> None:
        """Skip it until a check begun after this finds it well."""
        if self.ok or reason != self.reason:
            log.warning("replica skipped: %s", reason)
        self.ok, self.reason = False, reason
        self._generation += 1

    async def dispose(self) -> None:
        if self._checking is not None:
            self._checking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checking
        for probe in self._probes:
            await probe.dispose()
        await super().dispose()


@dataclass
class Attempt:
    """A request answered from the replica (``core.replica``), and whether it failed there:
    the routing answers it again from the primary."""

    replica: Replica
    failed: bool = False


#: Set for the requests the replica answers (``core.http.replicas``); units of work that read
#: (``Reads``) go to it, writes always to the primary.
ANSWERING: ContextVar[Attempt | None] = ContextVar("answering", default=None)


@contextmanager
def noting_failure(attempt: Attempt | None) -> Iterator[None]:
    try:
        yield
    except (SQLAlchemyError, OSError):
        if attempt is not None:
            attempt.failed = True
        raise
