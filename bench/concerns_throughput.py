"""Creating concerns and reading a triage-queue page through the app, against a raw-driver
endpoint doing the same INSERT and the same SELECT (bench/raw_app.py), in one run.

    .venv/bin/python -m bench.concerns_throughput [--seconds 8] [--clients 16] [--rounds 2]

Goal (issue 4): the app reaches at least half the raw endpoint's throughput for both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from collections.abc import Awaitable, Callable

import httpx

from bench.harness import (
    Load,
    bulk_concerns,
    closed_loop,
    create_user,
    postgres_database,
    server,
    sign_in,
)

BODY = {
    "kind": "complaint",
    "category": "discourtesy",
    "summary": "Officer was rude during a traffic stop",
    "description": "On Elm Street the officer shouted at me and refused to give a name.",
    "occurred_at": "2026-10-01T18:30:00Z",
    "location": {
        "address": "400 Elm St",
        "neighborhood": "Downtown",
        "latitude": 37.9,
        "longitude": -122.0,
    },
}

Call = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


def run(base: str, call: Call, clients: int, seconds: float, expect: int) -> Load:
    return asyncio.run(closed_loop(base, call, clients=clients, seconds=seconds, expect=expect))


def report(name: str, write: Load, read: Load) -> None:
    print(
        f"{name}  writes {write.rate:7.1f}/s p50 {write.percentile(50):6.1f} ms "
        f"errors {write.errors} | reads {read.rate:7.1f}/s p50 {read.percentile(50):6.1f} ms "
        f"errors {read.errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=10_000, help="concerns loaded before the run")
    args = parser.parse_args()

    rates: dict[str, list[float]] = {
        k: [] for k in ("app_write", "raw_write", "app_read", "raw_read")
    }
    with postgres_database() as database_url:
        bulk_concerns(database_url, 1, args.rows)
        email = create_user(database_url, "commissioner")
        for _ in range(args.rounds):
            with server(database_url) as base:
                headers = sign_in(base, email)

                async def app_write(client: httpx.AsyncClient, _: int) -> httpx.Response:
                    return await client.post("/api/v1/concerns", json=BODY)

                async def app_read(
                    client: httpx.AsyncClient, _: int, headers: dict[str, str] = headers
                ) -> httpx.Response:
                    return await client.get(
                        "/api/v1/concerns", params={"limit": 50}, headers=headers
                    )

                write = run(base, app_write, args.clients, args.seconds, 201)
                read = run(base, app_read, args.clients, args.seconds, 200)
            rates["app_write"].append(write.rate)
            rates["app_read"].append(read.rate)
            report("app", write, read)

            with server(database_url, "bench.raw_app", args=(), ready="/docs") as base:

                async def raw_write(client: httpx.AsyncClient, _: int) -> httpx.Response:
                    return await client.post("/raw/concerns", json=BODY)

                async def raw_read(client: httpx.AsyncClient, _: int) -> httpx.Response:
                    return await client.get("/raw/concerns")

                write = run(base, raw_write, args.clients, args.seconds, 201)
                read = run(base, raw_read, args.clients, args.seconds, 200)
            rates["raw_write"].append(write.rate)
            rates["raw_read"].append(read.rate)
            report("raw", write, read)

    def ratio(app: str, raw: str) -> float:
        return statistics.median(a / r for a, r in zip(rates[app], rates[raw], strict=True))

    print(
        json.dumps(
            {
                "clients": args.clients,
                **{k: round(statistics.median(v), 1) for k, v in rates.items()},
                "write_app_over_raw": round(ratio("app_write", "raw_write"), 3),
                "read_app_over_raw": round(ratio("app_read", "raw_read"), 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
