"""What the outbox costs an intake, and how fast one worker delivers (issue 16).

    .venv/bin/python -m bench.outbox [--seconds 10] [--rounds 3]

1. ``POST /api/v1/concerns`` (a signed-in resident) driven by wrk (16 connections) against a
   real uvicorn, alternating rounds: the baseline with the outbox switched off
   (``bench/no_outbox.py``: ``audit_append`` as it was before the outbox, created here under
   another name) and the service as it ships, with one webhook subscribed to
   ``concern.*`` so that every intake writes a delivery. The ratio is each round's rate over
   the baseline's just before it, the median of the rounds. Goal: >= 0.85 (at most 15%).
2. The deliveries those intakes wrote (thousands), sent by one ``oversight worker`` process
   to a local receiver (``bench/receiver.py``, answers 204): deliveries per second from start
   to the last one delivered. Goal: >= 500/s.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx
import psycopg

from bench import wrk
from bench.harness import (
    ALLOW_LOOPBACK_WEBHOOKS,
    ROOT,
    create_user,
    free_port,
    postgres_database,
    server,
    sign_in,
    start_worker,
)
from bench.no_outbox import SUBMIT_WITHOUT_OUTBOX, WITHOUT_OUTBOX
from bench.throughput import post_script

MIGRATIONS = ROOT / "migrations" / "versions"


def _migration(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, MIGRATIONS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def baseline_function() -> str:
    """``audit_append`` without the outbox (the downgrade of 20261126_11), and
    ``concern_submit`` calling it (intake's path), under names of their own."""
    append: str = _migration("2026-11-26_1520_deliveries_in_audit_append").WITHOUT_DELIVERIES
    submit: str = _migration("2026-11-26_2110_concern_submit").CONCERN_SUBMIT
    return (
        append.replace("FUNCTION audit_append(", f"FUNCTION {WITHOUT_OUTBOX}(")
        + ";\n"
        + (
            submit.replace(
                "FUNCTION concern_submit(", f"FUNCTION {SUBMIT_WITHOUT_OUTBOX}("
            ).replace("PERFORM audit_append(", f"PERFORM {WITHOUT_OUTBOX}(")
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    rates: dict[str, list[float]] = {"baseline": [], "outbox": []}
    with postgres_database() as url:
        resident, admin = create_user(url, "resident"), create_user(url, "admin")
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(baseline_function().encode())
        port = free_port()
        receiver = subprocess.Popen(
            [sys.executable, "-m", "bench.receiver", "--port", str(port)], cwd=ROOT
        )
        try:
            with server(url, env=ALLOW_LOOPBACK_WEBHOOKS) as base:
                hook = httpx.post(
                    f"{base}/api/v1/webhooks",
                    json={"url": f"http://127.0.0.1:{port}/hook", "events": ["concern.*"]},
                    headers=sign_in(base, admin),
                )
                hook.raise_for_status()
            for _ in range(args.rounds):
                for variant, module in (("baseline", "bench.no_outbox"), ("outbox", "oversight")):
                    with server(url, module, env=ALLOW_LOOPBACK_WEBHOOKS) as base:
                        token = sign_in(base, resident)["Authorization"].removeprefix("Bearer ")
                        load = wrk.run(
                            f"{base}/api/v1/concerns",
                            seconds=args.seconds,
                            script=post_script(token),
                        )
                    if load.non_2xx or load.errors:
                        raise SystemExit(f"{variant}: {load}")
                    rates[variant].append(load.rate)
                    print(f"{variant:8s} {load.rate:7.1f} intakes/s", flush=True)

            with psycopg.connect(url) as connection:
                pending = connection.execute(
                    "SELECT count(*) FROM deliveries WHERE status = 'pending'"
                ).fetchone()[0]  # type: ignore[index]
            started = time.monotonic()
            worker = start_worker(
                url, "--batch", "500", "--concurrency", str(args.concurrency), "--idle", "0.05"
            )
            try:
                while True:
                    time.sleep(0.1)
                    with psycopg.connect(url) as connection:
                        left = connection.execute(
                            "SELECT count(*) FROM deliveries WHERE status = 'pending'"
                        ).fetchone()[0]  # type: ignore[index]
                    if left == 0 or time.monotonic() - started > 300:
                        break
                elapsed = time.monotonic() - started
            finally:
                worker.terminate()
                worker.wait(timeout=15)
            received = int(httpx.get(f"http://127.0.0.1:{port}/count").text)
        finally:
            receiver.terminate()
            receiver.wait(timeout=15)

    ratio = statistics.median(
        o / b for b, o in zip(rates["baseline"], rates["outbox"], strict=True)
    )
    print(
        json.dumps(
            {
                "baseline_intakes_per_s": round(statistics.median(rates["baseline"]), 1),
                "outbox_intakes_per_s": round(statistics.median(rates["outbox"]), 1),
                "outbox_over_baseline": round(ratio, 3),
                "outbox_cost_pct": round(100 * (1 - ratio), 1),
                "deliveries": pending,
                "received": received,
                "worker_seconds": round(elapsed, 2),
                "deliveries_per_s": round(pending / elapsed, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
