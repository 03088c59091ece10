"""PostgreSQL restarted in the middle of a write load, against a real uvicorn.

    .venv/bin/python -m bench.faults [--seconds 20] [--clients 8] [--restart-at 6]

Needs to be allowed to restart the local cluster (`pg_ctlcluster <version> <name> restart`,
as root or postgres). Anonymous `POST /api/v1/concerns` from closed-loop clients; the cluster
is restarted once. Afterwards: every write that got a 201 must be in the database, every
failure must have been a 503 problem document that came back quickly (no hang, no 500), the
service must have recovered on its own, and the audit chain must verify.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

import httpx
import psycopg

from bench.harness import cli, postgres_database, server
from bench.throughput import BODY


@dataclass
class Outcome:
    started: float
    finished: float
    status: int  # 0: no HTTP answer at all
    concern_id: str | None
    problem: bool


def restart_cluster() -> float:
    """Restart the (only) local cluster; seconds it took."""
    tools = {name: shutil.which(name) for name in ("pg_lsclusters", "pg_ctlcluster")}
    if None in tools.values():
        raise SystemExit("needs Debian's pg_lsclusters and pg_ctlcluster")
    listed = subprocess.run(
        [str(tools["pg_lsclusters"]), "--no-header"], capture_output=True, text=True, check=True
    )
    version, name = listed.stdout.split()[:2]
    started = time.monotonic()
    subprocess.run([str(tools["pg_ctlcluster"]), version, name, "restart"], check=True)
    return time.monotonic() - started


async def load(base: str, clients: int, seconds: float) -> list[Outcome]:
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def worker() -> None:
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    response = await client.post("/api/v1/concerns", json=BODY)
                except httpx.HTTPError:
                    outcomes.append(Outcome(started, time.monotonic(), 0, None, False))
                    await asyncio.sleep(0.05)
                    continue
                finished = time.monotonic()
                created = response.status_code == 201
                outcomes.append(
                    Outcome(
                        started,
                        finished,
                        response.status_code,
                        response.json()["id"] if created else None,
                        response.headers.get("content-type", "").startswith(
                            "application/problem+json"
                        ),
                    )
                )
                if not created:
                    await asyncio.sleep(0.05)  # a client backing off, as Retry-After asks

        await asyncio.gather(*(worker() for _ in range(clients)))
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--restart-at", type=float, default=6)
    args = parser.parse_args()
    with postgres_database() as database_url, server(database_url) as base:
        restart: dict[str, float] = {}

        def restart_later() -> None:
            time.sleep(args.restart_at)
            restart["at"] = time.monotonic()
            restart["took"] = restart_cluster()

        thread = threading.Thread(target=restart_later)
        thread.start()
        outcomes = asyncio.run(load(base, args.clients, args.seconds))
        thread.join()

        created = [o.concern_id for o in outcomes if o.concern_id]
        with psycopg.connect(database_url) as connection:
            stored = connection.execute(
                "SELECT count(*) FROM concerns WHERE id = ANY(%s::uuid[])", (created,)
            ).fetchone()
        verify = cli(database_url, "audit", "verify")

    failures = [o for o in outcomes if o.status != 201]
    after = [o for o in outcomes if o.started > restart["at"] + restart["took"]]
    recovered = next((o.finished for o in after if o.status == 201), None)
    statuses: dict[int, int] = {}
    for o in outcomes:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    report = {
        "requests": len(outcomes),
        "statuses": statuses,
        "created": len(created),
        "created_and_stored": stored[0] if stored else 0,
        "failures_all_503_problem_documents": all(o.status == 503 and o.problem for o in failures),
        "slowest_failure_s": round(max((o.finished - o.started for o in failures), default=0), 3),
        "restart_took_s": round(restart["took"], 2),
        "recovered_after_restart_s": None
        if recovered is None
        else round(recovered - restart["at"] - restart["took"], 2),
        "audit_chain": verify.strip().splitlines()[-1],
    }
    print(json.dumps(report, indent=2))
    ok = (
        report["created_and_stored"] == report["created"]
        and report["failures_all_503_problem_documents"]
        and recovered is not None
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
