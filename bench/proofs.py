"""The verifiable log at 1,000,000 events on PostgreSQL: building the tree, and proofs served.

    .venv/bin/python -m bench.proofs [--events 1000000] [--seconds 10]

1. ``--events`` audit events are bulk-inserted with SQL (their chain hashes are placeholders:
   the tree hashes each event's canonical bytes and never reads the chain), then ``oversight
   audit checkpoint`` builds the whole tree (5,000 events a transaction) and signs: timed as a
   whole process.
2. A real uvicorn answers, through wrk with one connection (latency) and with 16 (throughput):
   the baseline ``GET /api/v1/public/audit/head`` (one indexed row), then inclusion proofs of
   500 random events in the tree of every event, and consistency proofs from 500 random sizes
   to it, each request another one (a Lua script cycles through them). Goal (issue 30): a proof
   answered in under 50 ms at 1,000,000 events.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from base64 import b64encode
from typing import Any
from urllib.parse import quote

import psycopg

from bench import wrk
from bench.harness import environment, postgres_database, server
from oversight.audit import checkpoint

EVENTS = """
INSERT INTO audit_events (seq, id, at, actor_id, actor_role, action, entity_type, entity_id,
                          from_status, to_status, reason, data, prev_hash, hash)
SELECT s, gen_random_uuid(), now() - (%(n)s::bigint - s) * interval '1 second', NULL, 'system',
       'bench.event', 'concern', gen_random_uuid(), 'submitted', 'triaged', NULL,
       json_build_object('n', s),
       CASE WHEN s = 1 THEN repeat('0', 64)
            ELSE encode(sha256(convert_to((s - 1)::text, 'UTF8')), 'hex') END,
       encode(sha256(convert_to(s::text, 'UTF8')), 'hex')
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS s
"""

CYCLE = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def lua(paths: list[str]) -> str:
    return CYCLE % ", ".join(json.dumps(p) for p in paths)


def figures(result: wrk.WrkResult) -> dict[str, Any]:
    return {
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "rate": round(result.rate),
        "non_2xx": result.non_2xx,
        "errors": result.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    n = args.events
    key = checkpoint.generate_key("bench.example/audit")[0]
    env = {"OVERSIGHT_AUDIT_SIGNING_KEY": key}
    out: dict[str, Any] = {"events": n}
    with postgres_database() as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            started = time.perf_counter()
            for first in range(1, n + 1, 100_000):
                last = min(n, first + 99_999)
                connection.execute(EVENTS, {"n": n, "first": first, "last": last})
            connection.execute("ANALYZE audit_events")
            out["insert_s"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "oversight", "audit", "checkpoint"],
            env={**environment(url), **env},
            check=True,
            capture_output=True,
            timeout=3600,
        )
        out["tree_build_and_sign_s"] = round(time.perf_counter() - started, 1)

        picked = random.Random(30).sample(range(n), 500)  # noqa: S311 (repeatable picks)
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute("ANALYZE audit_tree")
            rows = connection.execute(
                "SELECT idx, hash FROM audit_tree WHERE level = 0 AND idx = ANY(%s)", (picked,)
            ).fetchall()
            out["tree_nodes"] = connection.execute("SELECT count(*) FROM audit_tree").fetchone()[0]  # type: ignore[index]
        base_path = "/api/v1/public/audit"
        inclusion = [
            f"{base_path}/proofs/inclusion?leaf_hash={quote(b64encode(h).decode(), safe='')}"
            f"&tree_size={n}"
            for _, h in rows
        ]
        consistency = [f"{base_path}/proofs/consistency?from={i + 1}&to={n}" for i in picked]
        with server(url, env=env) as base:
            shapes = {
                "baseline: audit head": (f"{base}{base_path}/head", None),
                "inclusion proof": (base, lua(inclusion)),
                "consistency proof": (base, lua(consistency)),
            }
            for connections in (1, 16):
                for name, (target, script) in shapes.items():
                    wrk.run(target, seconds=2, connections=connections, script=script)  # warm
                    result = wrk.run(
                        target, seconds=args.seconds, connections=connections, script=script
                    )
                    out[f"{name}, {connections} connection(s)"] = figures(result)
        for connections in (1, 16):
            baseline = out[f"baseline: audit head, {connections} connection(s)"]
            for name in ("inclusion proof", "consistency proof"):
                shape = out[f"{name}, {connections} connection(s)"]
                shape["p50_over_baseline"] = round(shape["p50_ms"] / baseline["p50_ms"], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
