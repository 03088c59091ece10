"""Triage-queue page latency at 1,000,000 concerns against the same pages at 10,000, in one run
(issue 4's goal: within 1.5x), driven by wrk with one connection (sequential requests) against
a real uvicorn.

    .venv/bin/python -m bench.queue_scaling [--small 10000] [--large 1000000] [--rounds 3]

Two databases (10,000 and 1,000,000 concerns) behind two servers; each query shape is timed as a
first page and as a page reached through a cursor, the servers taking turns; the figure is the
median of the rounds' median latencies.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import httpx
import psycopg

from bench import wrk
from bench.harness import bulk_concerns, create_user, postgres_database, server, sign_in

SHAPES: dict[str, dict[str, Any]] = {
    "newest": {},
    "oldest": {"sort": "created_at"},
    "status=referred": {"status": "referred"},
    "priority": {"sort": "priority"},
    "due": {"sort": "due"},
    "overdue": {"overdue": "true"},
    "neighborhood": {"neighborhood": "Sun Terrace"},
    "search": {"q": "4217"},
    # Not a page: the queue badges (GET /concerns/counts), read from trigger-kept counts.
    "counts": {"path": "/counts"},
}


Side = tuple[httpx.Client, str]  # a client of one server, and its label


def cursors(client: httpx.Client, params: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    if "path" in params:
        return {"first": {}, "next": None}
    first = client.get("/api/v1/concerns", params={"limit": 50, **params})
    first.raise_for_status()
    cursor = first.json()["next_cursor"]
    return {"first": {}, "next": {"cursor": cursor} if cursor else None}


def timed(client: httpx.Client, params: dict[str, Any], seconds: float) -> float:
    """The median latency (ms) of one connection's back-to-back requests for ``seconds``."""
    path = "/api/v1/concerns" + params.pop("path", "")
    query = {"limit": 50, **params} if path.endswith("concerns") else params
    url = client.build_request("GET", path, params=query).url
    headers = {"Authorization": client.headers["Authorization"]}
    result = wrk.run(str(url), seconds=seconds, connections=1, headers=headers)
    if result.non_2xx or result.errors:
        raise SystemExit(f"{url}: {result}")
    return result.p50_ms


def measure(
    small: httpx.Client, large: httpx.Client, seconds: float, rounds: int
) -> dict[str, Any]:
    """Per page shape, the two servers take turns (``rounds`` times each), so that whatever
    else the machine does falls on both sides alike."""
    rows: dict[str, Any] = {}
    for name, params in SHAPES.items():
        pages = {"small": cursors(small, params), "large": cursors(large, params)}
        for label in ("first", "next"):
            extras = {side: pages[side][label] for side in pages}
            if any(extra is None for extra in extras.values()):
                continue
            timings: dict[str, list[float]] = {"small": [], "large": []}
            for _ in range(rounds):
                for side, client in (("small", small), ("large", large)):
                    params_here = {**params, **(extras[side] or {})}  # timed() pops "path"
                    timings[side].append(timed(client, params_here, seconds))
            small_ms = statistics.median(timings["small"])
            large_ms = statistics.median(timings["large"])
            rows[f"{name} ({label})"] = {
                "small_ms": round(small_ms, 2),
                "large_ms": round(large_ms, 2),
                "ratio": round(large_ms / small_ms, 2),
            }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=2, help="per turn")
    parser.add_argument("--rounds", type=int, default=3, help="turns per side and shape")
    parser.add_argument("--only", nargs="*", choices=sorted(SHAPES), help="these shapes only")
    args = parser.parse_args()
    for name in set(SHAPES) - set(args.only or SHAPES):
        del SHAPES[name]

    with postgres_database() as small_url, postgres_database() as large_url:
        emails = {}
        for url, size in ((small_url, args.small), (large_url, args.large)):
            started = time.monotonic()
            bulk_concerns(url, 1, size)
            emails[url] = create_user(url, "commissioner")
            print(f"loaded {size} concerns ({time.monotonic() - started:.0f} s)", flush=True)
        with psycopg.connect(large_url, autocommit=True) as connection:
            connection.execute("CHECKPOINT")  # the load's writes out of the way first
        with server(small_url) as small_base, server(large_url) as large_base:
            clients = [
                httpx.Client(base_url=base, headers=sign_in(base, emails[url]), timeout=60)
                for base, url in ((small_base, small_url), (large_base, large_url))
            ]
            with clients[0], clients[1]:
                rows = measure(clients[0], clients[1], args.seconds, args.rounds)
    print(
        json.dumps(
            {
                "small": args.small,
                "large": args.large,
                "pages": rows,
                "worst_ratio": max(r["ratio"] for r in rows.values()),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
