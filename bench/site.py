"""The public site at the demo's size on PostgreSQL (issue 29): each page rendered, and each
page answered from its validator (a 304 to `If-None-Match`), against `/healthz` of the same
server in the same run.

    .venv/bin/python -m bench.site [--seconds 3]

wrk on one connection per page (latency, not throughput). Goals: a page answered from its
validator under 10 ms; no page rendered in over 100 ms.
"""

from __future__ import annotations

import argparse

import httpx

from bench import wrk
from bench.harness import cli, postgres_database, server

PAGES = ["/", "/meetings", "/resolutions", "/proposals", "/report", "/recommendations", "/budget"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args()
    with postgres_database() as url:
        cli(url, "seed-demo")
        with server(url) as base:
            meetings = httpx.get(f"{base}/api/v1/public/meetings").json()["items"]
            pages = [*PAGES, f"/meetings/{meetings[0]['id']}"]
            health = wrk.run(f"{base}/healthz", seconds=args.seconds, connections=1)
            print(f"/healthz: median {health.p50_ms:.2f} ms, p99 {health.p99_ms:.2f} ms")
            for language in ("en", "es"):
                for page in pages:
                    headers = {"Accept-Language": language}
                    tag = httpx.get(base + page, headers=headers).headers["ETag"]
                    rendered = wrk.run(
                        base + page, seconds=args.seconds, connections=1, headers=headers
                    )
                    cached = wrk.run(
                        base + page,
                        seconds=args.seconds,
                        connections=1,
                        headers={**headers, "If-None-Match": tag},
                    )
                    print(
                        f"{language} {page}: rendered median {rendered.p50_ms:.1f} ms, p99 "
                        f"{rendered.p99_ms:.1f} ms; 304 median {cached.p50_ms:.2f} ms, p99 "
                        f"{cached.p99_ms:.2f} ms ({cached.p50_ms / health.p50_ms:.1f}x healthz)"
                        f"; non-2xx {rendered.non_2xx}"
                    )


if __name__ == "__main__":
    main()
