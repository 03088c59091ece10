"""Early intervention at scale on PostgreSQL: 10,000 officers and 1,000,000 allegations.

    .venv/bin/python -m bench.intervention_scale [--officers 10000] [--allegations 1000000]

1. A full evaluation (`oversight early-intervention evaluate`, the seeded four rules), timed by
   the command itself: the first run, which raises every flag, then a second, steady one (no
   change: what a nightly run costs). Baseline in the same run: the one hand-written aggregate
   a rule needs at least (allegations per officer in a year), timed with psql's client; the
   evaluation is reported as a multiple of four of those. Goal (issue 27): under 10 s.
2. The flag list through a real uvicorn (`GET /early-intervention/flags?limit=50`, a
   commissioner, wrk on one connection) against `GET /healthz` of the same server. Goal:
   under 200 ms (median and p99 reported).

Allegations go to officers by the square of a uniform draw (a few officers collect many, as in
real records), on concerns received over the last eight years; a seventh are use of force, an
eleventh sustained.
"""

from __future__ import annotations

import argparse
import re
import time

import psycopg

from bench import wrk
from bench.harness import bulk_concerns, cli, create_user, postgres_database, server, sign_in

DEPARTMENT = """
INSERT INTO departments (id, code, name, created_at)
VALUES (gen_random_uuid(), 'BENCH', 'Bench police department', now())
"""
OFFICERS = """
INSERT INTO officers (id, department_id, badge, first_name, last_name, rank, unit, status,
                      version, created_at, updated_at)
SELECT gen_random_uuid(), d.id, 'B' || g, 'First' || g, 'Last' || g, 'Officer',
       'Unit ' || (g %% 100), CASE WHEN g %% 50 = 0 THEN 'leave' ELSE 'active' END,
       1, now(), now()
FROM generate_series(1, %(officers)s::int) AS g, departments AS d WHERE d.code = 'BENCH'
"""
SPREAD = """
UPDATE concerns SET created_at = created_at - ((hashtext(id::text) & 7) * 365) * interval '1 day'
"""
NUMBERED = (
    "SELECT setseed(0.27)",
    "CREATE TEMP TABLE numbered AS"
    " SELECT id, row_number() OVER (ORDER BY badge) AS n FROM officers",
    "CREATE INDEX ON numbered (n)",
)
ALLEGATIONS = """
WITH draws AS MATERIALIZED (
  SELECT c.id, c.created_at, c.n, p,
         1 + floor(%(officers)s * power(random(), 2))::int AS k
  FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS n FROM concerns) AS c
  CROSS JOIN generate_series(0, %(per)s - 1) AS p
)
INSERT INTO allegations (id, concern_id, position, category, officer_id, finding, created_at)
SELECT gen_random_uuid(), d.id, d.p,
       CASE WHEN (d.n + d.p) %% 7 = 0 THEN 'use_of_force' ELSE 'discourtesy' END,
       o.id,
       CASE WHEN (d.n + d.p) %% 11 = 0 THEN 'sustained' END,
       d.created_at
FROM draws AS d JOIN numbered AS o ON o.n = d.k
"""
AGGREGATE = """
SELECT a.officer_id, count(*) FROM allegations a JOIN concerns c ON c.id = a.concern_id
WHERE a.officer_id IS NOT NULL AND c.created_at >= now() - interval '365 days'
GROUP BY a.officer_id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--allegations", type=int, default=1_000_000)
    args = parser.parse_args()
    concerns = args.allegations // 2
    with postgres_database() as url:
        started = time.perf_counter()
        bulk_concerns(url, 1, concerns)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(SPREAD)
            connection.execute(DEPARTMENT)
            connection.execute(OFFICERS, {"officers": args.officers})
            for statement in NUMBERED:
                connection.execute(statement)
            connection.execute(ALLEGATIONS, {"officers": args.officers, "per": 2})
            for table in ("concerns", "allegations", "officers"):
                connection.execute(f"VACUUM ANALYZE {table}")
            loaded = connection.execute("SELECT count(*) FROM allegations").fetchone()
            assert loaded is not None
            aggregate = []
            for _ in range(3):
                before = time.perf_counter()
                connection.execute(AGGREGATE).fetchall()
                aggregate.append(time.perf_counter() - before)
        print(
            f"loaded {loaded[0]:,} allegations, {args.officers:,} officers "
            f"in {time.perf_counter() - started:.0f} s"
        )
        baseline = min(aggregate)
        print(
            f"baseline: one rule's aggregate {baseline:.2f} s (best of 3); "
            f"four: {4 * baseline:.2f} s"
        )
        for name in ("first (raises every flag)", "second (steady)", "third (steady)"):
            said = cli(url, "early-intervention", "evaluate")
            seconds = float(re.search(r"\(([\d.]+) s\)", said).group(1))  # type: ignore[union-attr]
            print(
                f"evaluation, {name}: {said.strip()}; "
                f"{seconds / (4 * baseline):.2f}x four aggregates"
            )
        with psycopg.connect(url) as connection:
            flags = connection.execute("SELECT count(*) FROM intervention_flags").fetchone()
        print(f"flags: {flags[0] if flags else 0:,}")
        email = create_user(url, "commissioner")
        with server(url) as base:
            headers = sign_in(base, email)
            listed = wrk.run(
                f"{base}/api/v1/early-intervention/flags?limit=50",
                seconds=10,
                connections=1,
                headers=headers,
            )
            health = wrk.run(f"{base}/healthz", seconds=5, connections=1)
        print(
            f"flag list (50 a page): median {listed.p50_ms:.1f} ms, p99 {listed.p99_ms:.1f} ms, "
            f"{listed.rate:.0f}/s, non-2xx {listed.non_2xx}; /healthz median "
            f"{health.p50_ms:.2f} ms; list/healthz {listed.p50_ms / health.p50_ms:.1f}x"
        )


if __name__ == "__main__":
    main()
