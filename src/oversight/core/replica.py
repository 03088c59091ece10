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
import logging
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from oversight.core.config import Settings
from oversight.core.engines import Pools

log = logging.getLogger("oversight.replica")

_PRIMARY = text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
_REPLICA = text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() - '0/0'::pg_lsn")


class Replica(Pools):
    #: How often a process checks the replica while it serves requests.
    CHECK_SECONDS = 1.0

    def __init__(self, settings: Settings, url: str, primary: Pools) -> None:
        super().__init__(settings, url)
        self.primary = primary
        self.max_lag = settings.replica_max_lag_seconds
        #: As of the last check: may it answer, how far behind it was, and if not, why.
        self.ok = False
        self.lag_seconds: float | None = None
        self.reason = "not checked yet"
        self._positions: deque[tuple[float, int]] = deque()
        self._checked = -float("inf")
        self._checking: asyncio.Task[None] | None = None

    def usable(self) -> bool:
        """Whether the last check found it well; starts the next check when that one is due
        (in the background: a request never waits for it)."""
        now = time.monotonic()
        if now - self._checked >= self.CHECK_SECONDS and self._checking is None:
            self._checked = now
            self._checking = asyncio.get_running_loop().create_task(self._check_in_background())
        return self.ok

    async def _check_in_background(self) -> None:
        try:
            await self.check()
        finally:
            self._checking = None

    async def check(self) -> None:
        """Measure the lag now (``/readyz`` asks for a check of its own)."""
        try:
            primary = self.primary
            async with (primary.reader or primary.engine).connect() as connection:
                position = int((await connection.execute(_PRIMARY)).scalar_one())
            read_at = time.monotonic()
            async with (self.reader or self.engine).connect() as connection:
                standby, replayed = (await connection.execute(_REPLICA)).one()
        except (SQLAlchemyError, OSError) as exc:
            self.set_down(f"unreachable: {type(exc).__name__}")
            return
        if not standby:
            self.set_down("not a standby (promoted?): its writes are not the primary's")
            return
        self._positions.append((read_at, position))
        while self._positions and self._positions[0][0] < read_at - 2 * self.max_lag - 10:
            self._positions.popleft()
        caught_up = [at for at, reached in self._positions if reached <= int(replayed)]
        if not caught_up:  # behind every position kept: at least as far behind as the oldest
            self.lag_seconds = round(read_at - self._positions[0][0], 3)
            self.set_down(f"has not replayed what the primary had {self.lag_seconds:.1f} s ago")
            return
        self.lag_seconds = round(read_at - max(caught_up), 3)
        if self.lag_seconds > self.max_lag:
            self.set_down(f"lags {self.lag_seconds:.1f} s (more than {self.max_lag:g} s)")
            return
        if not self.ok:
            log.info("replica in use (lag %.3f s)", self.lag_seconds)
        self.ok, self.reason = True, ""

    def set_down(self, reason: str) -> None:
        """Skip it until a check finds it well (a failed request says so at once)."""
        if self.ok or reason != self.reason:
            log.warning("replica skipped: %s", reason)
        self.ok, self.reason = False, reason
        if reason.startswith("unreachable"):
            self.lag_seconds = None


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
