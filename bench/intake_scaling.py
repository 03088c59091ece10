"""Intake with one and two API worker processes, and where the chain lock stands meanwhile.

    .venv/bin/python -m bench.intake_scaling [--seconds 10] [--rounds 3] [--rows 10000]

One throwaway PostgreSQL database with ``--rows`` concerns; ``oversight serve --workers N`` for
N = 1 and 2 in turn, each round both; wrk (16 connections) posts concerns as a resident. While
wrk runs, a sampler reads ``pg_locks`` every 20 ms: whether a transaction holds the chain lock
(decision 0004) and how many wait for it. A lock held nearly all the time with writers queued
behind it is what would stop a second process from helping; a lock often free means the limit
is elsewhere (the CPU: the processes, PostgreSQL and wrk share two cores here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from typing import Any

import psycopg

from bench import wrk
from bench.harness import bulk_concerns, create_user, postgres_database, server, sign_in
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
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    rounds: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    with postgres_database() as url:
        bulk_concerns(url, 1, args.rows)
        resident = create_user(url, "resident")
        for _ in range(args.rounds):
            for workers in (1, 2):
                serve = ("serve", "--host", "127.0.0.1", "--workers", str(workers))
                with server(url, args=serve) as base:
                    token = sign_in(base, resident)["Authorization"].removeprefix("Bearer ")
                    wrk.run(f"{base}/api/v1/concerns", seconds=2, script=post_script(token))
                    figures = measure(base, url, post_script(token), args.seconds)
                    rounds[workers].append(figures)
                    print(workers, json.dumps(figures), flush=True)
    one = statistics.median(r["rate"] for r in rounds[1])
    two = statistics.median(r["rate"] for r in rounds[2])
    print(
        json.dumps(
            {
                "intake_per_second": {"1 worker": one, "2 workers": two},
                "two_over_one": round(two / one, 2),
                "chain_lock_held_share": {
                    str(n): statistics.median(r["chain_lock"]["held_share"] for r in rounds[n])
                    for n in rounds
                },
                "chain_lock_mean_waiting": {
                    str(n): statistics.median(r["chain_lock"]["mean_waiting"] for r in rounds[n])
                    for n in rounds
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
