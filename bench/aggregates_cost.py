"""What the summary's aggregate triggers cost intake: an A/B in one run, on one database.

    .venv/bin/python -m bench.aggregates_cost [--seconds 5] [--rounds 8] [--rows 10000]

One throwaway PostgreSQL database with ``--rows`` concerns and one ``oversight serve`` (one
worker); wrk (16 connections) posts concerns as a resident, in turns: with the triggers of
migrations 20261208_01 and 20261209_01 enabled (A, the service as it is) and disabled (B, the
service before them), ``--rounds`` times each (short rounds, many of them: a stalled WAL flush
spoils a whole round now and then). Reported: each side's median intakes per second and A / B,
the chain lock's share of time held (bench/intake_scaling.py's sampler), and the CPU each
intake cost the service and PostgreSQL together (bench/cpu.py), B / A: the rates swing from
round to round with the disk, the CPU an intake costs swings much less. The triggers of
``concern_counts`` stay on in both.
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

import psycopg

from bench import wrk
from bench.harness import bulk_concerns, create_user, postgres_database, server, sign_in
from bench.intake_scaling import measure
from bench.throughput import post_script

TRIGGERS = ("concern_aggregates_added", "concern_aggregates_removed", "concern_aggregates_changed")


def switch(url: str, enabled: bool) -> None:
    verb = "ENABLE" if enabled else "DISABLE"
    with psycopg.connect(url, autocommit=True) as connection:
        for trigger in TRIGGERS:
            connection.execute(f"ALTER TABLE concerns {verb} TRIGGER {trigger}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    sides: dict[str, list[dict[str, Any]]] = {"with triggers": [], "without": []}
    with postgres_database() as url:
        bulk_concerns(url, 1, args.rows)
        resident = create_user(url, "resident")
        with server(url) as base:
            token = sign_in(base, resident)["Authorization"].removeprefix("Bearer ")
            wrk.run(f"{base}/api/v1/concerns", seconds=2, script=post_script(token))
            for _ in range(args.rounds):
                for side in sides:
                    switch(url, side == "with triggers")
                    figures = measure(base, url, post_script(token), args.seconds)
                    sides[side].append(figures)
                    print(side, json.dumps(figures), flush=True)
            switch(url, True)
    a, b = (statistics.median(r["rate"] for r in rounds) for rounds in sides.values())
    spent = {  # CPU per intake of the service and of PostgreSQL: what the cores pay for
        side: statistics.median(
            r["cpu_ms_per_intake"]["server"] + r["cpu_ms_per_intake"]["postgres"] for r in rounds
        )
        for side, rounds in sides.items()
    }
    print(
        json.dumps(
            {
                "intake_per_second": {"with triggers": a, "without": b},
                "a_over_b": round(a / b, 3),
                "cpu_ms_per_intake": {side: round(ms, 3) for side, ms in spent.items()},
                "cpu_b_over_a": round(spent["without"] / spent["with triggers"], 3),
                "chain_lock_held_share": {
                    side: statistics.median(r["chain_lock"]["held_share"] for r in rounds)
                    for side, rounds in sides.items()
                },
                "non_2xx": sum(r["non_2xx"] for rounds in sides.values() for r in rounds),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
