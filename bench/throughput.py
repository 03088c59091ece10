"""The service against its raw ceiling, driven by wrk, on PostgreSQL, in one run.

    .venv/bin/python -m bench.throughput [--seconds 5] [--rounds 2] [--workers 1 2] [--app-args ...]

For each request shape, wrk (16 connections, one thread) takes turns between the app
(``oversight serve``) and the ceiling (bench/raw_app.py: FastAPI and asyncpg running the same
SQL, nothing else), ``--rounds`` times each; reported: each side's requests/s (median of the
rounds) and the ratio app / ceiling. Shapes (issue 14):

- ``intake``: a signed-in resident's ``POST /api/v1/concerns`` / the same INSERT;
- ``triage page``: a commissioner's ``GET /api/v1/concerns?limit=50`` / the same page SELECT;
- ``users/me`` and ``concern read``: / a JWT decode and one SELECT by id;
- ``healthz``: ``GET /healthz`` / a bare FastAPI app's.

``--workers`` runs the whole comparison once per worker count (both sides get that many);
``--app-args`` passes more ``oversight serve`` options (``--app-args=--no-access-log``: the
ceiling logs no requests). Each run also reports the CPU milliseconds per request that the
server, PostgreSQL and wrk spent (bench/cpu.py): what a second machine of API processes
would add, and where PostgreSQL would saturate.
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

import psycopg

from bench import cpu, wrk
from bench.harness import PIDS, bulk_concerns, create_user, postgres_database, server, sign_in

BODY = {
    "kind": "complaint",
    "category": "discourtesy",
    "summary": "Officer was rude during a traffic stop",
    "description": "On Elm Street the officer shouted at me and refused to give a name.",
    "occurred_at": "2026-10-01T18:30:00+00:00",
    "location": {
        "address": "400 Elm St",
        "neighborhood": "Downtown",
        "latitude": 37.9,
        "longitude": -122.0,
    },
}


def post_script(token: str) -> str:
    body = json.dumps(BODY).replace("\\", "\\\\").replace('"', '\\"')
    return (
        'wrk.method = "POST"\n'
        f'wrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )


def compare(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with postgres_database() as url:
        bulk_concerns(url, 1, args.rows)
        commissioner, resident = create_user(url, "commissioner"), create_user(url, "resident")
        with psycopg.connect(url) as connection:
            concern_id = connection.execute("SELECT id FROM concerns LIMIT 1").fetchone()[0]  # type: ignore[index]
        app_args = ("serve", "--host", "127.0.0.1", "--workers", str(workers), *args.app_args)
        raw_args = ("--workers", str(workers))
        with (
            server(url, args=app_args) as app,
            server(url, "bench.raw_app", args=raw_args, ready="/readyz") as raw,
            server(url, "bench.raw_app", args=(*raw_args, "--bare"), ready="/readyz") as bare,
        ):
            staff, citizen = sign_in(app, commissioner), sign_in(app, resident)
            token = citizen["Authorization"].removeprefix("Bearer ")
            shapes: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
                "intake": (
                    {"url": f"{app}/api/v1/concerns", "script": post_script(token)},
                    {"url": f"{raw}/raw/concerns", "script": post_script(token)},
                ),
                "triage page": (
                    {"url": f"{app}/api/v1/concerns?limit=50", "headers": staff},
                    {"url": f"{raw}/raw/concerns", "headers": staff},
                ),
                "users/me": (
                    {"url": f"{app}/api/v1/users/me", "headers": staff},
                    {"url": f"{raw}/raw/users/me", "headers": staff},
                ),
                "concern read": (
                    {"url": f"{app}/api/v1/concerns/{concern_id}", "headers": staff},
                    {"url": f"{raw}/raw/concerns/{concern_id}", "headers": staff},
                ),
                "healthz": ({"url": f"{app}/healthz"}, {"url": f"{bare}/healthz"}),
            }
            for name, (ours, ceiling) in shapes.items():
                runs: dict[str, list[wrk.WrkResult]] = {"app": [], "ceiling": []}
                usage: dict[str, list[dict[str, float]]] = {"app": [], "ceiling": []}
                for _ in range(args.rounds):
                    for side, spec in (("app", ours), ("ceiling", ceiling)):
                        base = "/".join(spec["url"].split("/", 3)[:3])
                        with cpu.measured(PIDS[base]) as spent:
                            result = wrk.run(seconds=args.seconds, **spec)
                        if result.non_2xx or result.errors:
                            raise SystemExit(f"{name}, {side}: {result}")
                        runs[side].append(result)
                        usage[side].append(spent.per_request_ms(result.requests))
                app_rate = statistics.median(r.rate for r in runs["app"])
                raw_rate = statistics.median(r.rate for r in runs["ceiling"])
                results[name] = {
                    "app_rps": round(app_rate),
                    "ceiling_rps": round(raw_rate),
                    "ratio": round(app_rate / raw_rate, 2),
                    "app_p50_ms": round(statistics.median(r.p50_ms for r in runs["app"]), 2),
                    "rounds": [
                        round(a.rate / c.rate, 2)
                        for a, c in zip(runs["app"], runs["ceiling"], strict=True)
                    ],
                    # CPU milliseconds per request, medians of the rounds: where the time goes.
                    "cpu_ms": {
                        side: {
                            part: statistics.median(u[part] for u in usage[side])
                            for part in ("server", "postgres", "wrk")
                        }
                        for side in ("app", "ceiling")
                    },
                }
                print(json.dumps({"workers": workers, name: results[name]}))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--app-args",
        nargs="*",
        default=[],
        help="More `oversight serve` options, e.g. --app-args=--no-access-log",
    )
    args = parser.parse_args()
    report = {f"{n} worker(s)": compare(args, n) for n in args.workers}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
