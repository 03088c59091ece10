"""A/B: sign-in throughput, and what sign-ins do to another request's latency.

    git worktree add /tmp/before <commit>
    .venv/bin/python -m bench.sign_in /tmp/before . [--rounds 3] [--connections 8]

Both trees are served at once (one uvicorn worker each, rate limits off) on one throwaway
PostgreSQL database migrated by B; wrk takes turns between them, 5 s a turn: sign-ins
(``POST /auth/token``, a form, the right password of one resident) on ``--connections``
connections; then the same again with, at the same time on the same server, ``/healthz`` on
one connection, whose latency shows how long the event loop was kept from other requests.
Printed per side and round: sign-ins/s, their p50/p99 and the server's and PostgreSQL's CPU
per sign-in (the turn of sign-ins alone), then sign-ins/s and /healthz's p50/p99 (the turn of
both); then B / A of the medians.
"""

from __future__ import annotations

import argparse
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from bench import cpu, harness, wrk
from bench.ab import _tree_environment
from bench.harness import PASSWORD, PIDS, create_user, postgres_database, server


def sign_in_script(email: str) -> str:
    """wrk's Lua: POST the OAuth2 password form (no device token: each sign-in is a client
    the service has not seen, the costlier case since issue 25)."""
    body = urlencode({"username": email, "password": PASSWORD, "grant_type": "password"})
    return (
        'wrk.method = "POST"\n'
        f'wrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    )


def turn(base: str, email: str, seconds: float, connections: int) -> dict[str, float]:
    """Sign-ins alone against ``base`` (their rate, latency and the CPU each cost the server
    and PostgreSQL), then sign-ins and a /healthz probe at the same time."""
    script = sign_in_script(email)
    url = f"{base}/api/v1/auth/token"
    with cpu.measured(PIDS[base]) as spent:
        alone = wrk.run(url, seconds=seconds, connections=connections, script=script)
    with ThreadPoolExecutor(2) as pool:
        signing = pool.submit(wrk.run, url, seconds=seconds, connections=connections, script=script)
        probe = pool.submit(wrk.run, f"{base}/healthz", seconds=seconds, connections=1)
        beside, health = signing.result(), probe.result()
    for result in (alone, beside, health):
        if result.non_2xx or result.errors:
            raise SystemExit(f"{base}: {result}")
    per_request = spent.per_request_ms(alone.requests)
    return {
        "rate": alone.rate,
        "p50": alone.p50_ms,
        "p99": alone.p99_ms,
        "server_cpu_ms": per_request["server"],
        "postgres_cpu_ms": per_request["postgres"],
        "rate_beside_probe": beside.rate,
        "healthz_p50": health.p50_ms,
        "healthz_p99": health.p99_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    plain = harness.environment
    rounds: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    try:
        # B's tree migrates the database and creates the account (B's schema is a superset).
        harness.environment = _tree_environment(args.b.resolve())  # type: ignore[assignment]
        with postgres_database() as url:
            email = create_user(url, "resident")
            serve = ("serve", "--host", "127.0.0.1", "--no-access-log")
            harness.environment = _tree_environment(args.a.resolve())  # type: ignore[assignment]
            # /healthz for ready: A's /readyz wants A's newest migration, and B's is newer.
            with server(url, args=serve, ready="/healthz") as a:
                harness.environment = _tree_environment(args.b.resolve())  # type: ignore[assignment]
                with server(url, args=serve, ready="/healthz") as b:
                    turn(a, email, 3, args.connections), turn(b, email, 3, args.connections)
                    for _ in range(args.rounds):
                        rounds["A"].append(turn(a, email, args.seconds, args.connections))
                        rounds["B"].append(turn(b, email, args.seconds, args.connections))
    finally:
        harness.environment = plain
    medians = {}
    for side, results in rounds.items():
        for result in results:
            print(side, {name: round(value, 1) for name, value in result.items()})
        medians[side] = {name: statistics.median(r[name] for r in results) for name in results[0]}
        print(side, "median", {name: round(value, 1) for name, value in medians[side].items()})
    print(
        "B / A", {name: round(medians["B"][name] / medians["A"][name], 2) for name in medians["A"]}
    )


if __name__ == "__main__":
    main()
