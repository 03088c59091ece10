"""Now: every timestamp the application writes comes from ``utcnow``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

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
