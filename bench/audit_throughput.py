"""Audited writes per second on PostgreSQL, driven by wrk (16 connections), against the same
writes with the audit append switched off, in one run (issue 3's goal: the append costs <= 25%).

    .venv/bin/python -m bench.audit_throughput [--seconds 10] [--rounds 2]

Each write is ``POST /api/v1/departments`` (one row + one audit event, a new code each time)
through a real uvicorn process on loopback. Rounds alternate baseline and audited so drift hits
both alike; the chain is verified at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics

from bench import wrk
from bench.harness import cli, create_user, postgres_database, server, sign_in


def writes(token: str, tag: str) -> str:
    """Lua for wrk: each request creates a department with a code of its own."""
    return f"""
local n = 0
request = function()
  n = n + 1
  local body = '{{"code":"{tag}-' .. n .. '","name":"Bench"}}'
  return wrk.format("POST", wrk.path, {{
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer {token}"
  }}, body)
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    results: dict[str, list[float]] = {"baseline": [], "audited": []}
    with postgres_database() as database_url:
        for round_number in range(args.rounds):
            for variant, module in (("baseline", "bench.unaudited"), ("audited", "oversight")):
                with server(database_url, module) as base:
                    headers = sign_in(base, create_user(database_url, "admin"))
                    token = headers["Authorization"].removeprefix("Bearer ")
                    load = wrk.run(
                        f"{base}/api/v1/departments",
                        seconds=args.seconds,
                        script=writes(token, f"{variant[0]}{round_number}"),
                    )
                if load.non_2xx or load.errors:
                    raise SystemExit(f"{variant}: {load}")
                results[variant].append(load.rate)
                print(
                    f"round {round_number} {variant:8s} {load.rate:7.1f} writes/s  "
                    f"p50 {load.p50_ms:6.1f} ms  p99 {load.p99_ms:6.1f} ms"
                )
        verified = cli(database_url, "audit", "verify")
    # Each round's audited rate over the baseline measured just before it, then the median.
    ratio = statistics.median(
        audited / baseline
        for baseline, audited in zip(results["baseline"], results["audited"], strict=True)
    )
    summary = {
        "connections": 16,
        "baseline_writes_per_s": round(statistics.median(results["baseline"]), 1),
        "audited_writes_per_s": round(statistics.median(results["audited"]), 1),
        "audited_over_baseline": round(ratio, 3),
        "audit_cost_pct": round(100 * (1 - ratio), 1),
        "chain": verified,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
