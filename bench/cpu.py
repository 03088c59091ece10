"""CPU time spent during a load run, by side: the server under test (a process and its
children, e.g. uvicorn's workers), PostgreSQL (every ``postgres`` process) and the load
generator (this process's finished children: run wrk inside the block). Read from /proc and
getrusage (Linux) before and after, so it costs nothing while the load runs."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[str, int, float]]:
    """Every process: (command name, parent pid, CPU seconds so far)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # Fields 4 (ppid), 14 and 15 (utime, stime) of proc(5); the list starts at field 3.
        found[int(entry.name)] = (
            name,
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / _TICKS,
        )
    return found


def _children() -> float:
    """CPU seconds of this process's finished children (wrk runs as one and ends in the block)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _sides(server: int) -> dict[str, float]:
    processes = _processes()
    family = {server}
    for _ in range(3):  # uvicorn's supervisor, its workers, their helpers
        family |= {pid for pid, (_, parent, _) in processes.items() if parent in family}
    totals = {"server": 0.0, "postgres": 0.0, "wrk": _children()}
    for pid, (name, _, seconds) in processes.items():
        if pid in family:
            totals["server"] += seconds
        elif name.startswith("postgres"):
            totals["postgres"] += seconds
    return totals


@dataclass
class Usage:
    """CPU seconds each side spent during the run."""

    server: float = 0.0
    postgres: float = 0.0
    wrk: float = 0.0

    def per_request_ms(self, requests: int) -> dict[str, float]:
        return {
            side: round(1000 * getattr(self, side) / max(requests, 1), 3)
            for side in ("server", "postgres", "wrk")
        }


@contextmanager
def measured(server: int) -> Iterator[Usage]:
    """The CPU each side spends inside the block. (A postgres backend that ends inside the
    block takes its time with it: the servers under test keep their pools open.)"""
    usage = Usage()
    before = _sides(server)
    yield usage
    after = _sides(server)
    usage.server, usage.postgres, usage.wrk = (after[k] - before[k] for k in before)
