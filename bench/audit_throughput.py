"""Audited writes per second on PostgreSQL with 16 concurrent clients, against the same writes
with the audit append switched off, in one run (issue 3's goal: the append costs <= 25%).

    .venv/bin/python -m bench.audit_throughput [--seconds 10] [--clients 16] [--rounds 2]

Each write is ``POST /api/v1/departments`` (one row + one audit event) through a real uvicorn
process on loopback. Rounds alternate baseline and audited so drift hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics

import httpx

from bench.harness import cli, closed_loop, create_user, postgres_database, server, sign_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    results: dict[str, list[float]] = {"baseline": [], "audited": []}
    with postgres_database() as database_url:
        for round_number in range(args.rounds):
            for variant, module in (("baseline", "bench.unaudited"), ("audited", "oversight")):
                with server(database_url, module) as base:
                    headers = sign_in(base, create_user(database_url, "admin"))
                    tag = f"{variant[0]}{round_number}"

                    async def write(
                        client: httpx.AsyncClient,
                        i: int,
                        tag: str = tag,
                        headers: dict[str, str] = headers,
                    ) -> httpx.Response:
                        return await client.post(
                            "/api/v1/departments",
                            json={"code": f"{tag}-{i}", "name": "Bench"},
                            headers=headers,
                        )

                    load = asyncio.run(
                        closed_loop(
                            base, write, clients=args.clients, seconds=args.seconds, expect=201
                        )
                    )
                results[variant].append(load.rate)
                print(
                    f"round {round_number} {variant:8s} {load.rate:7.1f} writes/s  "
                    f"p50 {load.percentile(50):6.1f} ms  p99 {load.percentile(99):6.1f} ms  "
                    f"errors {load.errors}"
                )
        verified = cli(database_url, "audit", "verify")
    # Each round's audited rate over the baseline measured just before it, then the median.
    ratio = statistics.median(
        audited / baseline
        for baseline, audited in zip(results["baseline"], results["audited"], strict=True)
    )
    summary = {
        "clients": args.clients,
        "baseline_writes_per_s": round(statistics.median(results["baseline"]), 1),
        "audited_writes_per_s": round(statistics.median(results["audited"]), 1),
        "audited_over_baseline": round(ratio, 3),
        "audit_cost_pct": round(100 * (1 - ratio), 1),
        "chain": verified,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
