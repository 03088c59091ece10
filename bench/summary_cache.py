"""The transparency summary at 1,000,000 concerns, served from its cache (issue 15, item 9).

    .venv/bin/python -m bench.summary_cache [--rows 1000000] [--database-url URL]

One PostgreSQL database with ``--rows`` bulk-loaded concerns (or an existing one), two real
uvicorn processes on it: one with the summary cache off (``OVERSIGHT_SUMMARY_CACHE_SECONDS=0``,
every request computes: the service before this change), one with the default 60 s cache.
In one run, with wrk on one connection (back-to-back requests) for the repeated answers:

- uncached: the median of three requests to the first server;
- cold: the first request to the cached server (it computes);
- repeated: wrk's median latency for the same summary, served from the cache;
- revalidated: wrk's median latency with ``If-None-Match`` set to the current ETag (304);
- stampede: 50 concurrent requests for a period not yet cached, their wall time against one
  computation's (about 1x when they share one computation; about 50x / 2 cores if not).

Goals: repeated under 20 ms at the median, revalidated under 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from contextlib import ExitStack

import httpx

from bench import wrk
from bench.harness import bulk_concerns, postgres_database, server

SUMMARY = "/api/v1/public/reports/summary"


def timed_get(base: str, params: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    response = httpx.get(base + SUMMARY, params=params, timeout=120)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def stampede(base: str, params: dict[str, str], clients: int) -> tuple[float, set[str]]:
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(client.get(SUMMARY, params=params) for _ in range(clients))
        )
        elapsed = (time.perf_counter() - started) * 1000
    for answer in answers:
        answer.raise_for_status()
    return elapsed, {answer.headers["etag"] for answer in answers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an existing database, already loaded")
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()

    with ExitStack() as stack:
        url = args.database_url or stack.enter_context(postgres_database())
        if not args.database_url:
            bulk_concerns(url, 1, args.rows)
        uncached = stack.enter_context(server(url, env={"OVERSIGHT_SUMMARY_CACHE_SECONDS": "0"}))
        cached = stack.enter_context(server(url))

        today = statistics.median(timed_get(uncached) for _ in range(3))
        cold = timed_get(cached)
        repeated = wrk.run(cached + SUMMARY, seconds=args.seconds, connections=1)
        tag = httpx.get(cached + SUMMARY, timeout=60).headers["etag"]
        revalidated = wrk.run(
            cached + SUMMARY, seconds=args.seconds, connections=1, headers={"If-None-Match": tag}
        )
        if repeated.non_2xx or repeated.errors or revalidated.errors:
            raise SystemExit(f"errors: {repeated} {revalidated}")
        check = httpx.get(cached + SUMMARY, headers={"If-None-Match": tag}, timeout=60)
        if check.status_code != 304:
            raise SystemExit(f"expected 304, got {check.status_code}")
        other = {"from": "2026-01", "to": "2026-03"}
        one = timed_get(uncached, other)
        together, tags = asyncio.run(stampede(cached, other, 50))

    print(
        json.dumps(
            {
                "rows": args.rows,
                "uncached_ms": round(today, 1),
                "cold_ms": round(cold, 1),
                "repeated_p50_ms": round(repeated.p50_ms, 2),
                "repeated_rps": round(repeated.rate, 1),
                "revalidated_304_p50_ms": round(revalidated.p50_ms, 2),
                "stampede_50_ms": round(together, 1),
                "one_computation_ms": round(one, 1),
                "stampede_ratio": round(together / one, 2),
                "stampede_tags": len(tags),
                "speedup_repeated": round(today / repeated.p50_ms, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
