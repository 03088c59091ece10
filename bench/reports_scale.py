"""The transparency summary and the open-data export at 1,000,000 concerns on PostgreSQL.

    .venv/bin/python -m bench.reports_scale [--rows 1000000] [--repeat 5]

1. The summary through a real uvicorn (`GET /api/v1/public/reports/summary`, its cache off:
   every request computes) against hand-written SQL computing the same numbers directly over
   the same rows, in the same run, for several periods (a month, a quarter, the default twelve
   months, every month of the data): medians of ``--repeat`` runs each, after one warm-up. The
   figures of both are compared first; the run stops if they differ. Goals: the app within
   1.5x of the hand-written SQL (issue 6); since the monthly aggregates (issue 30), any
   period under 300 ms.
2. `GET /api/v1/public/data/concerns.csv` streamed to the end, the server's peak resident
   memory (VmHWM, the whole process) read from /proc afterwards. Goal: under 150 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.harness import PIDS, bulk_concerns, postgres_database, server
from oversight.core.periods import Month, Period
from oversight.reports import aggregates
from oversight.reports.suppression import publish, publish_series, small, withhold_small_places

# Category, neighbourhood and status drawn apart from each other and from the kind (the bulk
# load's cycle through their values together: 40 combinations would stand for every concern),
# so that the summary reads as many cells as real data would make (4 x 10 x 8 x 10 a month).
DRAWN = """
UPDATE concerns SET
  category = (ARRAY['use_of_force','discourtesy','bias','stop_search_arrest','failure_to_act',
                    'misconduct','policy_procedure','response_time','commendation','other'])
             [1 + abs(hashtext(id::text || 'category')) % 10],
  neighborhood = (ARRAY['Monument Corridor','Sun Terrace','Downtown','Ygnacio Valley',
                        'North Concord','Clayton Valley','Dana Estates','Four Corners'])
                 [1 + abs(hashtext(id::text || 'place')) % 8],
  status = (ARRAY['submitted','triaged','dismissed','withdrawn','referred','responded',
                  'under_review','scheduled','resolved','closed'])
           [1 + abs(hashtext(id::text || 'status')) % 10]
"""
# Stage timestamps for the bulk-loaded concerns, spread by a hash of the id, consistent with
# each concern's status; then a commission year: meetings, adopted resolutions, recommendations.
STAGES = """
UPDATE concerns SET
  triaged_at = CASE WHEN status <> 'submitted'
                    THEN created_at + (abs(hashtext(id::text)) % 240) * interval '1 hour' END,
  referred_at = CASE WHEN status IN ('referred','responded','under_review','scheduled',
                                     'resolved','closed')
                     THEN created_at + interval '11 days' END,
  response_due_at = CASE WHEN status IN ('referred','responded','under_review','scheduled',
                                         'resolved','closed')
                         THEN created_at + interval '41 days' END,
  first_response_at = CASE WHEN status IN ('responded','under_review','scheduled','resolved',
                                           'closed')
                           THEN created_at + interval '11 days'
                                + (abs(hashtext(id::text)) % 1000) * interval '1 hour' END,
  resolved_at = CASE WHEN status IN ('resolved','closed')
                     THEN created_at + (20 + abs(hashtext(id::text)) % 80) * interval '1 day' END,
  closed_at = CASE WHEN status IN ('closed','dismissed','withdrawn')
                   THEN created_at + interval '120 days' END,
  disposition = CASE WHEN status IN ('resolved','closed')
                     THEN (ARRAY['sustained','not_sustained','exonerated','unfounded',
                                 'acknowledged'])[1 + abs(hashtext(id::text)) % 5] END
"""
COMMISSION = """
INSERT INTO departments (id, code, name, created_at)
VALUES ('00000000-0000-0000-0000-00000000d001', 'bench-pd', 'Bench Police', now());
INSERT INTO meetings (id, title, scheduled_at, status, version, created_at, updated_at)
SELECT gen_random_uuid(), 'Meeting ' || g, now() - g * interval '7 days',
       CASE WHEN g % 9 = 0 THEN 'cancelled' ELSE 'adjourned' END, 1, now(), now()
FROM generate_series(1, 60) AS g;
INSERT INTO resolutions (id, number, title, body, status, decided_at, version, created_at,
                         updated_at)
SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid,
       CASE WHEN g % 5 <> 0 THEN 'R-B-' || g END, 'Resolution ' || g, 'Body',
       CASE WHEN g % 5 = 0 THEN 'rejected' ELSE 'adopted' END,
       now() - g * interval '3 days', 1, now(), now()
FROM generate_series(1, 150) AS g;
INSERT INTO recommendations (id, resolution_id, position, text, department_id, status, version)
SELECT gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad((1 + g % 150)::text, 12, '0'))::uuid,
       g, 'Recommendation ' || g, '00000000-0000-0000-0000-00000000d001',
       (ARRAY['pending','accepted','partially_accepted','rejected','implemented'])[1 + g % 5], 1
FROM generate_series(1, 600) AS g;
"""

# The same figures, written by hand: one pass for the scalar statistics, one GROUPING SETS pass
# for the dimensions, and the small tables.
HAND_SCALARS = """
SELECT count(*) AS received,
  count(*) FILTER (WHERE triaged_at IS NOT NULL) AS n_triage,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM triaged_at - created_at) / 86400.0)
    FILTER (WHERE triaged_at IS NOT NULL) AS median_triage,
  count(*) FILTER (WHERE referred_at IS NOT NULL AND first_response_at IS NOT NULL) AS n_response,
  percentile_cont(0.5) WITHIN GROUP
    (ORDER BY extract(epoch FROM first_response_at - referred_at) / 86400.0)
    FILTER (WHERE referred_at IS NOT NULL AND first_response_at IS NOT NULL) AS median_response,
  percentile_cont(0.9) WITHIN GROUP
    (ORDER BY extract(epoch FROM first_response_at - referred_at) / 86400.0)
    FILTER (WHERE referred_at IS NOT NULL AND first_response_at IS NOT NULL) AS p90_response,
  count(*) FILTER (WHERE resolved_at IS NOT NULL) AS n_resolution,
  percentile_cont(0.5) WITHIN GROUP
    (ORDER BY extract(epoch FROM resolved_at - created_at) / 86400.0)
    FILTER (WHERE resolved_at IS NOT NULL) AS median_resolution,
  count(*) FILTER (WHERE first_response_at IS NOT NULL) AS answered,
  count(*) FILTER (WHERE first_response_at <= response_due_at) AS on_time
FROM concerns WHERE created_at >= %(lower)s AND created_at < %(upper)s
"""
HAND_DIMENSIONS = """
SELECT GROUPING(kind) = 0 AS is_kind, GROUPING(category) = 0 AS is_category,
       GROUPING(coalesce(neighborhood, 'unknown')) = 0 AS is_neighborhood,
       GROUPING(status) = 0 AS is_status, GROUPING(disposition) = 0 AS is_disposition,
       kind, category, coalesce(neighborhood, 'unknown') AS neighborhood, status, disposition,
       to_char(created_at, 'YYYY-MM') AS month, count(*)
FROM concerns WHERE created_at >= %(lower)s AND created_at < %(upper)s
GROUP BY GROUPING SETS ((kind), (category), (coalesce(neighborhood, 'unknown')), (status),
                        (disposition), (to_char(created_at, 'YYYY-MM')))
"""
HAND_CLOSED = """
SELECT to_char(closed_at, 'YYYY-MM'), count(*) FROM concerns
WHERE closed_at >= %(lower)s AND closed_at < %(upper)s GROUP BY 1
"""
HAND_SMALL = """
SELECT (SELECT count(*) FROM concerns WHERE due_sort < now()) AS overdue,
       (SELECT count(*) FROM meetings WHERE status = 'adjourned'
          AND scheduled_at >= %(lower)s AND scheduled_at < %(upper)s) AS meetings,
       (SELECT count(*) FROM resolutions WHERE status = 'adopted'
          AND decided_at >= %(lower)s AND decided_at < %(upper)s) AS adopted,
       (SELECT json_object_agg(status, n) FROM (
          SELECT r.status, count(*) AS n FROM recommendations r
          JOIN resolutions s ON s.id = r.resolution_id
          WHERE s.status = 'adopted' AND s.decided_at >= %(lower)s AND s.decided_at < %(upper)s
          GROUP BY r.status) AS x) AS recommendations,
       (SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1) AS head
"""


def hand_written(connection: psycopg.Connection[Any], period: Period) -> dict[str, Any]:
    bounds = {"lower": period.lower, "upper": period.upper}
    with connection.transaction():
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        s = connection.execute(HAND_SCALARS, bounds).fetchone()
        dims = connection.execute(HAND_DIMENSIONS, bounds).fetchall()
        closed = dict(connection.execute(HAND_CLOSED, bounds).fetchall())
        few = connection.execute(HAND_SMALL, bounds).fetchone()
    if s is None or few is None:
        raise RuntimeError("the hand-written SQL returned no row")
    names = ("by_kind", "by_category", "by_neighborhood", "by_status", "dispositions")
    cells: dict[str, dict[str, int]] = {name: {} for name in (*names, "by_month")}
    for row in dims:
        flags, keys, n = row[:5], row[5:11], row[11]
        for name, flag, key in zip(names, flags, keys, strict=False):
            if flag and (name != "dispositions" or key is not None):
                cells[name][key] = n
        if not any(flags):
            cells["by_month"][keys[5]] = n

    def stat(value: float | None, n: int) -> float | None:
        return None if value is None or n < 5 else round(float(value), 1)

    months = [str(m) for m in period.months]
    received = publish_series({m: cells["by_month"].get(m, 0) for m in months}, 5)
    closed_cells = publish_series({m: closed.get(m, 0) for m in months}, 5)
    recommendations = few.recommendations or {}
    cells["by_neighborhood"] = withhold_small_places(cells["by_neighborhood"], 5)
    return {
        "received": small(s.received, 5),
        **{name: publish(cells[name], 5) for name in names},
        "by_month": [
            {"month": m, "received": received[m], "closed": closed_cells[m]} for m in months
        ],
        "median_days_to_triage": stat(s.median_triage, s.n_triage),
        "median_days_to_response": stat(s.median_response, s.n_response),
        "p90_days_to_response": stat(s.p90_response, s.n_response),
        "median_days_to_resolution": stat(s.median_resolution, s.n_resolution),
        "response_sla_met_pct": round(100 * s.on_time / s.answered, 1) if s.answered >= 5 else None,
        "overdue_open": small(few.overdue, 5),
        "meetings_held": few.meetings,
        "resolutions_adopted": few.adopted,
        "recommendations_total": sum(recommendations.values()),
    }


def from_app(report: dict[str, Any]) -> dict[str, Any]:
    c, t, m = report["concerns"], report["timeliness"], report["commission"]
    return {
        "received": c["received"],
        **{k: c[k] for k in ("by_kind", "by_category", "by_neighborhood", "by_status")},
        "dispositions": c["dispositions"],
        "by_month": c["by_month"],
        **t,
        "meetings_held": m["meetings_held"],
        "resolutions_adopted": m["resolutions_adopted"],
        "recommendations_total": m["recommendations"]["total"],
    }


def timed(repeat: int, run: Callable[[], object]) -> float:
    """The median of ``repeat`` runs, in milliseconds."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    period = Period.default(today)
    params = {"from": str(period.first), "to": str(period.last)}
    now = Month.of(today)
    periods = {  # the data are the last 365 days
        "month": Period(now.plus(-6), now.plus(-6)),
        "quarter": Period(now.plus(-4), now.plus(-2)),
        "twelve_months": period,
        "all": Period(now.plus(-12), now),
    }
    with postgres_database() as database_url:
        started = time.monotonic()
        bulk_concerns(database_url, 1, args.rows)
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(DRAWN)
            connection.execute(STAGES)
            connection.execute(COMMISSION)
            for table in aggregates.KEYS:  # as the worker leaves them, once a minute
                connection.execute(str(aggregates.FOLDS[table]))
                connection.execute(str(aggregates.EMPTIED[table]))
            connection.execute("VACUUM ANALYZE")
        print(f"loaded {args.rows:,} concerns in {time.monotonic() - started:.0f} s")

        hand: dict[str, float] = {}
        expected: dict[str, dict[str, Any]] = {}
        with psycopg.connect(database_url, row_factory=psycopg.rows.namedtuple_row) as connection:
            for name, each in periods.items():
                expected[name] = hand_written(connection, each)
                hand[name] = timed(args.repeat, partial(hand_written, connection, each))

        app: dict[str, float] = {}
        uncached = {"OVERSIGHT_SUMMARY_CACHE_SECONDS": "0"}
        with (
            server(database_url, env=uncached) as base,
            httpx.Client(base_url=base, timeout=300) as client,
        ):
            summary = "/api/v1/public/reports/summary"
            for name, each in periods.items():
                asked = {"from": str(each.first), "to": str(each.last)}
                got = from_app(client.get(summary, params=asked).raise_for_status().json())
                if got != expected[name]:
                    diff = {
                        k: (got.get(k), v) for k, v in expected[name].items() if got.get(k) != v
                    }
                    raise SystemExit(f"{name}: the app and the hand-written SQL disagree: {diff}")
                app[name] = timed(args.repeat, partial(client.get, summary, params=asked))

        with server(database_url) as base, httpx.Client(base_url=base, timeout=600) as client:
            pid = PIDS[base]
            before = peak_memory_mb(pid)
            t0 = time.perf_counter()
            lines = 0
            with client.stream("GET", "/api/v1/public/data/concerns.csv", params=params) as r:
                r.raise_for_status()
                for _ in r.iter_lines():
                    lines += 1
            export_seconds = time.perf_counter() - t0
            peak = peak_memory_mb(pid)

    print(
        json.dumps(
            {
                "rows": args.rows,
                "summary_app_ms": {name: round(ms, 1) for name, ms in app.items()},
                "summary_hand_written_ms": {name: round(ms, 1) for name, ms in hand.items()},
                "summary_app_over_hand_written": {
                    name: round(app[name] / hand[name], 3) for name in app
                },
                "export_lines": lines,
                "export_seconds": round(export_seconds, 1),
                "export_rows_per_s": round((lines - 1) / export_seconds),
                "server_peak_rss_mb_before_export": round(before, 1),
                "server_peak_rss_mb": round(peak, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
