"""A/B: one request shape against two source trees (or two serve options), wrk alternating.

    git worktree add /tmp/before <commit>
    .venv/bin/python -m bench.ab /tmp/before . page [--rounds 3] [--b-args=--no-access-log]

Both servers run at once (one uvicorn worker each) on one throwaway PostgreSQL database with
10,000 concerns, migrated by B (so A must work on B's schema: B adds, never changes); wrk
(16 connections) takes turns between them, 5 s a turn. Printed: each
side's requests/s per round and B / A (medians). How the steps of issue 14 were checked.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from bench import harness, wrk
from bench.harness import bulk_concerns, create_user, postgres_database, server, sign_in
from bench.throughput import post_script

PATHS = {
    "page": "/api/v1/concerns?limit=50",
    "me": "/api/v1/users/me",
    "healthz": "/healthz",
    # A public read: the caching layer reads the record's state before it (issue 30 added
    # the latest checkpoint's size to it).
    "public_head": "/api/v1/public/audit/head",
}


def _tree_environment(tree: Path) -> Callable[[str], dict[str, str]]:
    """harness.environment, importing ``oversight`` from ``tree``."""
    plain = harness.environment

    def environment(database_url: str) -> dict[str, str]:
        values = plain(database_url)
        values["PYTHONPATH"] = os.pathsep.join([str(tree / "src"), values.get("PYTHONPATH", "")])
        return values

    return environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("shape", choices=["intake", "read", *PATHS])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--b-args", nargs="*", default=[], help="More `serve` options for B.")
    args = parser.parse_args()
    plain = harness.environment
    with postgres_database() as url:
        bulk_concerns(url, 1, 10_000)
        commissioner, resident = create_user(url, "commissioner"), create_user(url, "resident")
        with psycopg.connect(url) as connection:
            concern = connection.execute("SELECT id FROM concerns LIMIT 1").fetchone()[0]  # type: ignore[index]
        serve = ("serve", "--host", "127.0.0.1")
        try:
            harness.environment = _tree_environment(args.a.resolve())  # type: ignore[assignment]
            # A may predate B's migrations: the database is at B's head, which A's /readyz
            # does not know (B only adds tables and nullable columns), so A is waited for on
            # /healthz.
            with server(url, args=serve, ready="/healthz") as a:
                harness.environment = _tree_environment(args.b.resolve())  # type: ignore[assignment]
                with server(url, args=(*serve, *args.b_args)) as b:
                    harness.environment = plain
                    staff = sign_in(a, commissioner)
                    token = sign_in(a, resident)["Authorization"].removeprefix("Bearer ")

                    def run(base: str, seconds: float) -> wrk.WrkResult:
                        spec: dict[str, Any]
                        if args.shape == "intake":
                            spec = {"script": post_script(token)}
                            path = "/api/v1/concerns"
                        else:
                            spec = {"headers": staff}
                            path = PATHS.get(args.shape, f"/api/v1/concerns/{concern}")
                        result = wrk.run(f"{base}{path}", seconds=seconds, **spec)
                        if result.non_2xx or result.errors:
                            raise SystemExit(f"{base}: {result}")
                        return result

                    run(a, 2), run(b, 2)  # warm up
                    rates: dict[str, list[float]] = {"A": [], "B": []}
                    for _ in range(args.rounds):
                        rates["A"].append(run(a, 5).rate)
                        rates["B"].append(run(b, 5).rate)
        finally:
            harness.environment = plain
    ratio = statistics.median(rates["B"]) / statistics.median(rates["A"])
    print(
        f"{args.shape}: A {[round(r) for r in rates['A']]} B {[round(r) for r in rates['B']]}"
        f" B/A {ratio:.2f}"
    )


if __name__ == "__main__":
    main()
