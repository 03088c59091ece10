"""Webhook delivery through faults: a worker killed (SIGKILL) in the middle of its batches and
PostgreSQL restarted, under an intake load.

    .venv/bin/python -m bench.outbox_faults [--seconds 20]

Needs to be allowed to restart the local cluster (as bench/faults.py). Anonymous intakes from
closed-loop clients against a real uvicorn; one webhook subscribed to ``concern.*`` on a local
receiver (``bench/receiver.py``); two ``oversight worker`` processes, one of them killed with
SIGKILL after a few seconds and replaced; the cluster restarted once. Then the workers run until
nothing is pending (a killed worker's claims come due when their lease ends: decision 0007).

Checked: every committed change (each concern in the database) has its delivery and the
receiver got it (at least once; by ``webhook-id``, exactly once); no delivery exists for a
change that was not committed (every delivery's audit event is in the log).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import psycopg

from bench.faults import load, restart_cluster
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


def spawn_worker(url: str) -> subprocess.Popen[bytes]:
    return start_worker(url, "--batch", "50", "--idle", "0.2", quiet=True)


def scalar(url: str, sql: str) -> int:
    for _ in range(50):  # PostgreSQL may still be coming back
        try:
            with psycopg.connect(url) as connection:
                return int(connection.execute(sql).fetchone()[0])  # type: ignore[index]
        except psycopg.OperationalError:
            time.sleep(0.2)
    raise SystemExit("PostgreSQL did not come back")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kill-at", type=float, default=4)
    parser.add_argument("--restart-at", type=float, default=9)
    args = parser.parse_args()

    with postgres_database() as url:
        admin = create_user(url, "admin")
        port = free_port()
        receiver = subprocess.Popen(
            [sys.executable, "-m", "bench.receiver", "--port", str(port)], cwd=ROOT
        )
        workers: list[subprocess.Popen[bytes]] = []
        try:
            with server(url, env=ALLOW_LOOPBACK_WEBHOOKS) as base:
                hook = httpx.post(
                    f"{base}/api/v1/webhooks",
                    json={"url": f"http://127.0.0.1:{port}/hook", "events": ["concern.*"]},
                    headers=sign_in(base, admin),
                )
                hook.raise_for_status()
                workers = [spawn_worker(url), spawn_worker(url)]
                timings: dict[str, float] = {}

                def faults() -> None:
                    time.sleep(args.kill_at)
                    os.kill(workers[0].pid, signal.SIGKILL)
                    workers.append(spawn_worker(url))
                    time.sleep(args.restart_at - args.kill_at)
                    timings["restart_seconds"] = restart_cluster()

                thread = threading.Thread(target=faults)
                thread.start()
                outcomes = asyncio.run(load(base, args.clients, args.seconds))
                thread.join()

            started = time.monotonic()
            while scalar(url, "SELECT count(*) FROM deliveries WHERE status <> 'delivered'"):
                if time.monotonic() - started > 180:
                    raise SystemExit("deliveries still pending after 180 s")
                time.sleep(0.5)
            drained = time.monotonic() - started
            ids = set(httpx.get(f"http://127.0.0.1:{port}/ids").text.split())
            received = int(httpx.get(f"http://127.0.0.1:{port}/count").text)
        finally:
            for worker in workers:
                worker.kill()
                worker.wait(timeout=15)
            receiver.terminate()
            receiver.wait(timeout=15)

        concerns = scalar(url, "SELECT count(*) FROM concerns")
        deliveries = scalar(url, "SELECT count(*) FROM deliveries")
        orphans = scalar(
            url,
            "SELECT count(*) FROM deliveries d LEFT JOIN audit_events e ON e.id = d.event_id "
            "WHERE e.id IS NULL",
        )
        with psycopg.connect(url) as connection:
            delivery_ids = {str(row[0]) for row in connection.execute("SELECT id FROM deliveries")}
    created = sum(1 for o in outcomes if o.status == 201)
    result = {
        "intakes_answered_201": created,
        "intakes_failed": len(outcomes) - created,
        "concerns_committed": concerns,
        "deliveries": deliveries,
        "deliveries_without_their_event": orphans,
        "received_requests": received,
        "received_distinct_ids": len(ids),
        "repeats_dropped_by_id": received - len(ids),
        "missing": len(delivery_ids - ids),
        "unknown_ids": len(ids - delivery_ids),
        "drained_after_load_seconds": round(drained, 1),
        **timings,
    }
    print(json.dumps(result, indent=2))
    ok = deliveries == concerns and orphans == 0 and ids == delivery_ids and created <= concerns
    if not ok:
        raise SystemExit("FAILED")


if __name__ == "__main__":
    main()
