"""Soak: mixed traffic at a fixed rate for a long time; every minute, each shape's p50/p99 and
each process's resident memory.

    .venv/bin/python -m bench.soak [--minutes 30] [--warm-up 5] [--rows 10000] [--json FILE]

One ``oversight serve`` process and one ``oversight worker`` (the outbox, the signed
checkpoints every 60 s) on a throwaway PostgreSQL database with ``--rows`` concerns. Every
minute each shape runs for that minute as its own wrk, paced to a fixed rate by a Lua
``delay()`` (plain wrk sends as fast as it can): intake, triage pages, public reads (the
summary, the meetings, the site's home page, the signed checkpoints, rotating), comments on a
proposal, supports of it (PUT and DELETE in turn), open-data downloads; and transitions
(submitted -> triaged, each after a read for its ETag) from a paced Python thread, since each
needs the ETag of the concern it moves. wrk counts 4xx and 5xx answers through its
``response()`` hook.

Goal (API.md "Soak"): after warm-up, resident memory grows under 10%, no 5xx, each shape's p99
flat within 1.5x (the worst minute against the median minute).
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import wrk
from bench.harness import (
    PIDS,
    bulk_concerns,
    create_user,
    postgres_database,
    rss_kb,
    server,
    sign_in,
    start_worker,
)
from bench.throughput import BODY
from oversight.audit.checkpoint import generate_key

#: shape -> (requests per second, wrk connections).
RATES = {
    "intake": (8.0, 2),
    "triage page": (15.0, 2),
    "public reads": (40.0, 4),
    "comments": (4.0, 1),
    "supports": (4.0, 1),
    "downloads": (0.5, 1),
}
TRANSITIONS_PER_SECOND = 2.0
#: method, path, headers, body.
Request = tuple[str, str, dict[str, str], str | None]

COUNTING = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0; refused = 0 end
function response(status, headers, body)
  if status >= 500 then failed = failed + 1 elseif status >= 400 then refused = refused + 1 end
end
function done(summary, latency, requests)
  local f, r = 0, 0
  for _, t in ipairs(threads) do f = f + t:get("failed"); r = r + t:get("refused") end
  io.write(string.format("oversight-5xx %d\\noversight-4xx %d\\n", f, r))
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def paced(
    rate: float,
    connections: int,
    requests: list[Request],
) -> str:
    """A wrk script sending ``requests`` in turn, each connection waiting so that all of them
    together send about ``rate`` a second (the wait does not count in wrk's latency)."""
    entries = []
    for method, path, headers, body in requests:
        header_table = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
        )
        entries.append(
            f"{{{_lua_string(method)}, {_lua_string(path)}, {{{header_table}}}, "
            f"{_lua_string(body) if body is not None else 'nil'}}}"
        )
    wait_ms = connections * 1000 / rate
    return (
        f"local requests = {{{', '.join(entries)}}}\n"
        "local turn = 0\n"
        "function request()\n"
        "  turn = turn + 1\n"
        "  local r = requests[(turn % #requests) + 1]\n"
        "  return wrk.format(r[1], r[2], r[3], r[4])\n"
        "end\n"
        f"function delay() return {wait_ms:.0f} end\n" + COUNTING
    )


@dataclass
class Minute:
    shapes: dict[str, dict[str, float]] = field(default_factory=dict)
    memory_mb: dict[str, float] = field(default_factory=dict)


def shape_figures(result: wrk.WrkResult) -> dict[str, float]:
    counts = {
        name: int(value)
        for name, value in (
            line.split() for line in result.report.splitlines() if line.startswith("oversight-")
        )
    }
    return {
        "rate": round(result.rate, 2),
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "5xx": counts.get("oversight-5xx", 0) + result.errors,
        "4xx": counts.get("oversight-4xx", 0),
    }


class Transitions:
    """Moves submitted concerns to triaged at a fixed rate, each after a read for its ETag
    (the oldest submitted first: the bulk's, then intake's); the latency of each move (the
    POST) is kept for the minute it fell in."""

    def __init__(self, base: str, staff: dict[str, str], url: str) -> None:
        self.base, self.staff, self.url = base, staff, url
        self.latencies: list[float] = []
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def submitted(self) -> list[str]:
        with psycopg.connect(self.url) as connection:
            rows = connection.execute(
                "SELECT id FROM concerns WHERE status = 'submitted' ORDER BY created_at LIMIT 200"
            )
            return [str(row[0]) for row in rows]

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.staff, timeout=30) as client:
            while not self.stop.is_set():
                waiting = self.submitted()
                if not waiting:
                    self.stop.wait(1)
                for concern in waiting:
                    if self.stop.is_set():
                        return
                    self.move(client, concern)

    def move(self, client: httpx.Client, concern: str) -> None:
        started = time.monotonic()
        read = client.get(f"/api/v1/concerns/{concern}")
        began = time.perf_counter()
        moved = client.post(
            f"/api/v1/concerns/{concern}/transitions",
            json={"to": "triaged"},
            headers={"If-Match": read.headers.get("etag", '"0"')},
        )
        with self.lock:
            self.latencies.append((time.perf_counter() - began) * 1000)
            self.statuses.extend((read.status_code, moved.status_code))
        self.stop.wait(max(0.0, 1 / TRANSITIONS_PER_SECOND - (time.monotonic() - started)))

    def take(self) -> dict[str, float]:
        with self.lock:
            latencies, statuses = self.latencies, self.statuses
            self.latencies, self.statuses = [], []
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        return {
            "rate": round(len(latencies) / 60, 2),
            "p50_ms": round(statistics.median(latencies), 2) if latencies else 0.0,
            "p99_ms": round(cuts[98], 2),
            "5xx": sum(1 for s in statuses if s >= 500),
            "4xx": sum(1 for s in statuses if 400 <= s < 500),
        }


def setup(base: str, url: str) -> tuple[dict[str, dict[str, str]], str]:
    commissioner, resident = create_user(url, "commissioner"), create_user(url, "resident")
    people = {"staff": sign_in(base, commissioner), "resident": sign_in(base, resident)}
    proposal = httpx.post(
        f"{base}/api/v1/proposals",
        json={"title": "Publish stop data monthly", "body": "Every month, by neighborhood."},
        headers=people["resident"],
    )
    proposal.raise_for_status()
    return people, proposal.json()["id"]


def scripts(people: dict[str, dict[str, str]], proposal: str) -> dict[str, str]:
    json_type = {"Content-Type": "application/json"}
    resident, staff = people["resident"], people["staff"]
    comment = json.dumps({"target": {"type": "proposal", "id": proposal}, "body": "I agree."})
    support = f"/api/v1/proposals/{proposal}/support"
    public = [
        "/api/v1/public/reports/summary",
        "/api/v1/public/meetings",
        "/",
        "/api/v1/public/audit/checkpoints",
    ]
    requests: dict[str, list[Request]] = {
        "intake": [("POST", "/api/v1/concerns", resident | json_type, json.dumps(BODY))],
        "triage page": [("GET", "/api/v1/concerns?limit=50", staff, None)],
        "public reads": [("GET", path, {}, None) for path in public],
        "comments": [("POST", "/api/v1/comments", resident | json_type, comment)],
        "supports": [("PUT", support, resident, None), ("DELETE", support, resident, None)],
        "downloads": [("GET", "/api/v1/public/data/concerns.csv", {}, None)],
    }
    return {
        shape: paced(RATES[shape][0], RATES[shape][1], shape_requests)
        for shape, shape_requests in requests.items()
    }


def soak(minutes: int, rows: int, on_minute: Callable[[int, Minute], None]) -> list[Minute]:
    with postgres_database() as url:
        bulk_concerns(url, 1, rows)
        env = {
            "OVERSIGHT_ACCESS_TOKEN_MINUTES": str(minutes + 30),
            "OVERSIGHT_AUDIT_SIGNING_KEY": generate_key("bench/audit")[0],
            "OVERSIGHT_CHECKPOINT_SECONDS": "60",
        }
        worker = start_worker(url, env=env, quiet=True)
        try:
            with server(url, env=env) as base:
                people, proposal = setup(base, url)
                lua = scripts(people, proposal)
                moves = Transitions(base, people["staff"], url)
                mover = threading.Thread(target=moves.run, daemon=True)
                mover.start()
                taken: list[Minute] = []
                with ThreadPoolExecutor(len(lua)) as pool:
                    for number in range(1, minutes + 1):
                        runs = {
                            shape: pool.submit(
                                wrk.run,
                                base,
                                seconds=60,
                                connections=RATES[shape][1],
                                script=script,
                            )
                            for shape, script in lua.items()
                        }
                        minute = Minute()
                        for shape, future in runs.items():
                            minute.shapes[shape] = shape_figures(future.result())
                        minute.shapes["transitions"] = moves.take()
                        minute.memory_mb = {
                            "serve": round(rss_kb(PIDS[base]) / 1024, 1),
                            "worker": round(rss_kb(worker.pid) / 1024, 1),
                        }
                        taken.append(minute)
                        on_minute(number, minute)
                moves.stop.set()
                mover.join()
                return taken
        finally:
            worker.terminate()
            worker.wait(timeout=15)


def verdict(minutes: list[Minute], warm_up: int) -> dict[str, Any]:
    steady = minutes[warm_up:] or minutes
    memory = {
        process: round(steady[-1].memory_mb[process] / steady[0].memory_mb[process] - 1, 4)
        for process in steady[0].memory_mb
    }
    flat: dict[str, float] = {}
    for shape in steady[0].shapes:
        p99s = [m.shapes[shape]["p99_ms"] for m in steady]
        flat[shape] = round(max(p99s) / statistics.median(p99s), 2) if min(p99s) > 0 else 0.0
    return {
        "memory_growth": memory,
        "5xx": sum(int(s["5xx"]) for m in minutes for s in m.shapes.values()),
        "4xx": {shape: sum(int(m.shapes[shape]["4xx"]) for m in minutes) for shape in flat},
        "p99_worst_over_median": flat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    shapes = [*RATES, "transitions"]
    print(
        "| minute | "
        + " | ".join(f"{s} p50/p99 ms" for s in shapes)
        + " | RSS serve / worker MB | 5xx |"
    )
    print("|---" * (len(shapes) + 3) + "|")

    def show(number: int, minute: Minute) -> None:
        cells = [
            f"{minute.shapes[s]['p50_ms']:.1f} / {minute.shapes[s]['p99_ms']:.1f}" for s in shapes
        ]
        failed = sum(int(s["5xx"]) for s in minute.shapes.values())
        memory = f"{minute.memory_mb['serve']:.1f} / {minute.memory_mb['worker']:.1f}"
        print(f"| {number} | " + " | ".join(cells) + f" | {memory} | {failed} |", flush=True)

    minutes = soak(args.minutes, args.rows, show)
    result = verdict(minutes, args.warm_up)
    rates = {s: statistics.median(m.shapes[s]["rate"] for m in minutes) for s in shapes}
    print(json.dumps({"rates_per_second": rates, **result}, indent=2))
    if args.json:
        args.json.write_text(
            json.dumps({"minutes": [m.__dict__ for m in minutes], "verdict": result}, indent=2)
        )


if __name__ == "__main__":
    main()
