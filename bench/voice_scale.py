"""Community voice at scale, driven by wrk against real uvicorn servers on PostgreSQL.

    .venv/bin/python -m bench.voice_scale [--small 1000] [--large 100000] [--seconds 5]

1. Page cost: a target's public comments and the public proposals list (by supports and by
   date, first page and a page from the middle) on a database holding ``--large`` comments on
   one target and ``--large`` proposals, against the same pages on one holding ``--small``,
   both served at once by two servers, wrk taking turns between them (two rounds each).
   Reported: requests/s and median latency, and cost = small's rate / large's rate.
   Goal (issue 13): cost within 1.5x.
2. Supports under load: wrk sends `PUT /proposals/{id}/support` for as long as ``--seconds``
   from 16 connections, each request another resident's (up to ``--residents``), on a
   proposal whose threshold lies inside the run. Checked afterwards in the database: the
   count equals the rows of proposal_supports and the residents that answered 2xx, exactly
   one qualification event. Goal: at least 200 supports/s with the count exact.
"""

from __future__ import annotations

import argparse
import json
import statistics
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import wrk
from bench.harness import SECRET, postgres_database, server
from oversight.core.config import Settings
from oversight.core.security import hash_password, issue_access_token

TARGET = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
MEETING = uuid.UUID("00000000-0000-0000-0000-0000000000a0")
AUTHOR = uuid.UUID("00000000-0000-0000-0000-0000000000a2")
SUPPORTED = uuid.UUID("00000000-0000-0000-0000-0000000000a3")

LOAD = """
INSERT INTO users (id, email, display_name, role, password_hash, is_active, created_at, updated_at)
VALUES (%(author)s, 'author@bench.example.org', 'Bench author', 'resident', %(hash)s, true,
        now(), now());
INSERT INTO meetings (id, title, scheduled_at, status, version, created_at, updated_at)
VALUES (%(meeting)s, 'Bench meeting', now() + interval '30 days', 'scheduled', 1, now(), now());
INSERT INTO agenda_items (id, meeting_id, position, title, kind, created_at)
VALUES (%(target)s, %(meeting)s, 1, 'Public comment', 'public_comment', now());
INSERT INTO comments (id, target_type, target_id, author_id, show_name, body, status,
                      hidden_reason, version, created_at, updated_at)
SELECT gen_random_uuid(), 'agenda_item', %(target)s, NULL, false, 'Bench comment ' || g,
       CASE WHEN g %% 50 = 0 THEN 'hidden' WHEN g %% 20 = 0 THEN 'pending'
            ELSE 'published' END,
       CASE WHEN g %% 50 = 0 THEN 'Off topic' END,
       1, now() - (%(n)s - g) * interval '1 second', now()
FROM generate_series(1, %(n)s) AS g;
INSERT INTO proposals (id, title, body, status, author_id, show_name, supports,
                       support_threshold, version, created_at, updated_at)
SELECT gen_random_uuid(), 'Bench proposal ' || g, 'What the city should do, number ' || g,
       (ARRAY['open','open','open','qualified','accepted','declined','withdrawn'])[1 + g %% 7],
       %(author)s, false, (g * 7919) %% 5000, 25, 1,
       now() - (%(n)s - g) * interval '1 minute', now()
FROM generate_series(1, %(n)s) AS g;
"""

RESIDENTS = """
INSERT INTO users (id, email, display_name, role, password_hash, is_active, created_at, updated_at)
VALUES (%(author)s, 'author@bench.example.org', 'Bench author', 'resident', %(hash)s, true,
        now(), now());
INSERT INTO users (id, email, display_name, role, password_hash, is_active, created_at, updated_at)
SELECT ('00000000-0000-0000-0001-' || lpad(to_hex(g), 12, '0'))::uuid,
       'resident' || g || '@bench.example.org', 'Resident ' || g, 'resident', %(hash)s, true,
       now(), now()
FROM generate_series(1, %(n)s) AS g;
INSERT INTO auth_sessions (id, user_id, created_at)
SELECT ('00000000-0000-0000-0002-' || lpad(to_hex(g), 12, '0'))::uuid,
       ('00000000-0000-0000-0001-' || lpad(to_hex(g), 12, '0'))::uuid, now()
FROM generate_series(1, %(n)s) AS g;
INSERT INTO proposals (id, title, body, status, author_id, show_name, supports,
                       support_threshold, version, created_at, updated_at)
VALUES (%(proposal)s, 'Supported under load', 'One proposal, many residents', 'open',
        %(author)s, false, 0, %(threshold)s, 1, now(), now());
"""

CONNECTIONS = 16

#: One resident's token per request, in turn; ``tokens`` is read from the file named first.
SUPPORT_SCRIPT = """
local tokens = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
end
request = function()
  i = i + 1
  local token = tokens[((i - 1) % #tokens) + 1]
  return wrk.format("PUT", wrk.path, {["Authorization"] = "Bearer " .. token}, "")
end
"""


def run_script(connection: psycopg.Connection[Any], script: str, params: dict[str, Any]) -> None:
    """Each statement of ``script`` with the parameters it names."""
    for statement in script.split(";\n"):
        if statement.strip():
            connection.execute(statement, params)


def load(database_url: str, n: int) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        run_script(
            connection,
            LOAD,
            {
                "author": AUTHOR,
                "hash": hash_password("bench password 12345"),
                "meeting": MEETING,
                "target": TARGET,
                "n": n,
            },
        )
        connection.execute("VACUUM ANALYZE")


def middle_cursor(base: str, path: str, params: dict[str, Any], total: int) -> str:
    """The cursor of the page half-way through a list, by walking it 200 at a time."""
    cursor = None
    client = httpx.Client(base_url=base, timeout=60)
    for _ in range(max(1, total // 2 // 200)):
        page = client.get(path, params={**params, "limit": 200, "cursor": cursor}).json()
        cursor = page["next_cursor"]
    client.close()
    if cursor is None:
        raise RuntimeError(f"{path} ended before its middle")
    return str(cursor)


def shapes(base: str, n: int) -> dict[str, str]:
    comments = "/api/v1/public/comments"
    on_target = {"target_type": "agenda_item", "target_id": str(TARGET)}
    proposals = "/api/v1/public/proposals"
    by_supports = {"sort": "-supports"}
    by_date = {"sort": "-created_at"}
    published = n - n // 20 - n // 50 + n // 100  # roughly; only the middle matters
    return {
        "comments, first page": str(httpx.URL(comments, params={**on_target, "limit": 50})),
        "comments, middle page": str(
            httpx.URL(
                comments,
                params={
                    **on_target,
                    "limit": 50,
                    "cursor": middle_cursor(base, comments, on_target, published),
                },
            )
        ),
        "proposals by supports, first page": str(
            httpx.URL(proposals, params={**by_supports, "limit": 50})
        ),
        "proposals by supports, middle page": str(
            httpx.URL(
                proposals,
                params={
                    **by_supports,
                    "limit": 50,
                    "cursor": middle_cursor(base, proposals, by_supports, n),
                },
            )
        ),
        "open proposals by supports, first page": str(
            httpx.URL(proposals, params={**by_supports, "status": "open", "limit": 50})
        ),
        "proposals by date, first page": str(httpx.URL(proposals, params={**by_date, "limit": 50})),
    }


def page_costs(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    with (
        postgres_database() as small_url,
        postgres_database() as large_url,
    ):
        load(small_url, args.small)
        load(large_url, args.large)
        with server(small_url) as small, server(large_url) as large:
            small_shapes, large_shapes = shapes(small, args.small), shapes(large, args.large)
            for name in small_shapes:
                runs: dict[str, list[wrk.WrkResult]] = {"small": [], "large": []}
                for _ in range(args.rounds):
                    for size, base, paths in (
                        ("small", small, small_shapes),
                        ("large", large, large_shapes),
                    ):
                        result = wrk.run(base + paths[name], seconds=args.seconds)
                        if result.non_2xx or result.errors:
                            raise SystemExit(f"{name} on {size}: {result}")
                        runs[size].append(result)
                rate = {k: statistics.median(r.rate for r in v) for k, v in runs.items()}
                p50 = {k: statistics.median(r.p50_ms for r in v) for k, v in runs.items()}
                rows.append(
                    {
                        "shape": name,
                        "small_rps": round(rate["small"]),
                        "large_rps": round(rate["large"]),
                        "small_p50_ms": round(p50["small"], 2),
                        "large_p50_ms": round(p50["large"], 2),
                        "cost_large_over_small": round(rate["small"] / rate["large"], 2),
                    }
                )
                print(json.dumps(rows[-1]))
    return rows


def supports_under_load(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(database_url="sqlite://", env="production", secret_key=SECRET)
    with postgres_database() as url:
        with psycopg.connect(url, autocommit=True) as connection:
            run_script(
                connection,
                RESIDENTS,
                {
                    "hash": hash_password("bench password 12345"),
                    "n": args.residents,
                    "author": AUTHOR,
                    "proposal": SUPPORTED,
                    "threshold": args.threshold,
                },
            )
        now = datetime.now(UTC)
        tokens = [
            issue_access_token(
                settings,
                user_id=uuid.UUID(f"00000000-0000-0000-0001-{g:012x}"),
                session_id=uuid.UUID(f"00000000-0000-0000-0002-{g:012x}"),
                role="resident",
                now=now,
            )
            for g in range(1, args.residents + 1)
        ]
        token_file = Path(f"/tmp/oversight-bench-tokens-{uuid.uuid4().hex[:6]}.txt")  # noqa: S108
        token_file.write_text("\n".join(tokens) + "\n")
        try:
            serve = ("serve", "--host", "127.0.0.1", "--workers", str(args.workers))
            with server(url, args=serve) as base:
                result = wrk.run(
                    f"{base}/api/v1/proposals/{SUPPORTED}/support",
                    seconds=args.seconds * 2,
                    connections=CONNECTIONS,
                    script=SUPPORT_SCRIPT,
                    script_args=(str(token_file),),
                )
        finally:
            token_file.unlink()
        with psycopg.connect(url) as connection:
            supports, status = connection.execute(
                "SELECT supports, status FROM proposals WHERE id = %s", (SUPPORTED,)
            ).fetchone()  # type: ignore[misc]
            rows = connection.execute(
                "SELECT count(*) FROM proposal_supports WHERE proposal_id = %s", (SUPPORTED,)
            ).fetchone()[0]  # type: ignore[index]
            qualified = connection.execute(
                "SELECT count(*) FROM audit_events WHERE entity_id = %s AND"
                " to_status = 'qualified'",
                (SUPPORTED,),
            ).fetchone()[0]  # type: ignore[index]
    # wrk counts the requests answered within its time; up to one more per connection was
    # still in flight when it stopped, and counts in the database.
    answered = result.requests - result.non_2xx - result.errors
    in_range = answered <= rows <= min(answered + CONNECTIONS, args.residents)
    report = {
        "requests": result.requests,
        "supports_per_s": round(result.rate),
        "non_2xx": result.non_2xx,
        "socket_errors": result.errors,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "supports": supports,
        "support_rows": rows,
        "answered_2xx": answered,
        "exact": supports == rows and in_range,
        "status": status,
        "qualification_events": qualified,
    }
    print(json.dumps(report))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--residents", type=int, default=4_000)
    parser.add_argument("--threshold", type=int, default=1_000)
    parser.add_argument("--only", choices=("pages", "supports"))
    parser.add_argument("--workers", type=int, default=1, help="server workers, supports run")
    args = parser.parse_args()
    if args.only != "supports":
        page_costs(args)
    if args.only != "pages":
        supports_under_load(args)


if __name__ == "__main__":
    main()
