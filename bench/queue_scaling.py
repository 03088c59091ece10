"""Triage-queue page latency at 1,000,000 concerns against the same pages at 10,000, in one run
(issue 4's goal: within 1.5x). One client, sequential requests, through a real uvicorn.

    .venv/bin/python -m bench.queue_scaling [--small 10000] [--large 1000000] [--requests 200]

Each query shape is timed as a first page and as a page reached through a cursor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import httpx

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
}


def measure(base: str, headers: dict[str, str], requests: int) -> dict[str, float]:
    medians: dict[str, float] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for name, params in SHAPES.items():
            first = client.get("/api/v1/concerns", params={"limit": 50, **params})
            first.raise_for_status()
            cursor = first.json()["next_cursor"]
            for label, extra in (("first", {}), ("next", {"cursor": cursor} if cursor else None)):
                if extra is None:
                    continue
                timings = []
                for _ in range(requests):
                    start = time.perf_counter()
                    response = client.get(
                        "/api/v1/concerns", params={"limit": 50, **params, **extra}
                    )
                    timings.append(time.perf_counter() - start)
                    response.raise_for_status()
                medians[f"{name} ({label})"] = statistics.median(timings) * 1000
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    with postgres_database() as database_url:
        email = create_user(database_url, "commissioner")
        loaded = 0
        for size in (args.small, args.large):
            started = time.monotonic()
            bulk_concerns(database_url, loaded + 1, size)
            loaded = size
            print(f"loaded {size} concerns ({time.monotonic() - started:.0f} s)", flush=True)
            with server(database_url) as base:
                headers = sign_in(base, email)
                results[str(size)] = measure(base, headers, args.requests)
    small, large = results[str(args.small)], results[str(args.large)]
    rows = {
        name: {
            "small_ms": round(small[name], 2),
            "large_ms": round(large[name], 2),
            "ratio": round(large[name] / small[name], 2),
        }
        for name in small
    }
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
