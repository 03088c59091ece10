"""Intake with one and two API worker processes, and where the chain lock stands meanwhile.

    .venv/bin/python -m bench.intake_scaling [--seconds 10] [--rounds 3] [--rows 10000]
        [--flush-probe]

One throwaway PostgreSQL database with ``--rows`` concerns; ``oversight serve --workers N`` for
N = 1 and 2 in turn, each round both; wrk (16 connections) posts concerns as a resident. While
wrk runs, a sampler reads ``pg_locks`` every 20 ms: whether a transaction holds the chain lock
(decision 0004) and how many wait for it. A lock held nearly all the time with writers queued
behind it is what would stop a second process from helping; a lock often free means the limit
is elsewhere (the CPU: the processes, PostgreSQL and wrk share two cores here).
``--flush-probe`` adds one process with ``synchronous_commit = off`` on the bench's database: how
much of the lock's hold is the commit's WAL flush.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from bench import cpu, wrk
from bench.harness import PIDS, bulk_concerns, create_user, postgres_database, server, sign_in
from bench.throughput import post_script
from oversight.core.audit import CHAIN_LOCK_KEY

LOCKS = """
SELECT count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted)
FROM pg_locks
WHERE locktype = 'advisory' AND ((classid::bigint << 32) | objid::bigint) = %(key)s
"""


class LockSampler:
    def __init__(self, url: str) -> None:
        self.url = url
        self.samples: list[tuple[int, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.is_set():
                row = connection.execute(LOCKS, {"key": CHAIN_LOCK_KEY}).fetchone()
                assert row is not None
                self.samples.append((int(row[0]), int(row[1])))
                time.sleep(0.02)

    def figures(self) -> dict[str, float]:
        held = [h for h, _ in self.samples]
        waiting = [w for _, w in self.samples]
        return {
            "samples": len(self.samples),
            "held_share": round(sum(1 for h in held if h) / len(held), 3),
            "mean_waiting": round(statistics.fmean(waiting), 2),
            "max_waiting": max(waiting),
        }


def measure(base: str, url: str, script: str, seconds: float) -> dict[str, Any]:
    sampler = LockSampler(url)
    thread = threading.Thread(target=sampler.run)
    thread.start()
    try:
        with cpu.measured(PIDS[base]) as spent:
            result = wrk.run(f"{base}/api/v1/concerns", seconds=seconds, script=script)
    finally:
        sampler.stop.set()
        thread.join()
    return {
        "rate": round(result.rate, 1),
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "non_2xx": result.non_2xx + result.errors,
        "chain_lock": sampler.figures(),
        "cpu_ms_per_intake": spent.per_request_ms(result.requests),
    }


@contextmanager
def flush_wait(url: str, on: bool) -> Iterator[None]:
    """With ``on`` false, the database's commits do not wait for their WAL flush
    (``synchronous_commit = off``) until the block ends: a probe of what the flush costs the
    chain lock, which is held until it is done, never a setting to run the service with."""
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, autocommit=True) as connection:
        if not on:
            connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        try:
            yield
        finally:
            connection.execute(f'ALTER DATABASE "{name}" RESET synchronous_commit')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--flush-probe",
        action="store_true",
        help="also one process with synchronous_commit off: the WAL flush's share of the lock",
    )
    args = parser.parse_args()
    sides = {"1 worker": (1, True), "2 workers": (2, True)}
    if args.flush_probe:
        sides["1 worker, no flush wait"] = (1, False)
    rounds: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    with postgres_database() as url:
        bulk_concerns(url, 1, args.rows)
        resident = create_user(url, "resident")
        for _ in range(args.rounds):
            for side, (workers, flush) in sides.items():
                serve = ("serve", "--host", "127.0.0.1", "--workers", str(workers))
                with flush_wait(url, flush), server(url, args=serve) as base:
                    token = sign_in(base, resident)["Authorization"].removeprefix("Bearer ")
                    wrk.run(f"{base}/api/v1/concerns", seconds=2, script=post_script(token))
                    figures = measure(base, url, post_script(token), args.seconds)
                    rounds[side].append(figures)
                    print(side, json.dumps(figures), flush=True)
    rates = {side: statistics.median(r["rate"] for r in rounds[side]) for side in rounds}
    print(
        json.dumps(
            {
                "intake_per_second": rates,
                "two_over_one": round(rates["2 workers"] / rates["1 worker"], 2),
                "chain_lock_held_share": {
                    side: statistics.median(r["chain_lock"]["held_share"] for r in rounds[side])
                    for side in rounds
                },
                "chain_lock_mean_waiting": {
                    side: statistics.median(r["chain_lock"]["mean_waiting"] for r in rounds[side])
                    for side in rounds
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
