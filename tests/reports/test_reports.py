"""The public transparency summary: right numbers, no small cells, no way to recover them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from oversight.concerns import responses
from oversight.concerns import service as concerns
from oversight.concerns.schemas import (
    ConcernCreate,
    ConcernTransition,
    LocationCreate,
    ResponseCreate,
)
from oversight.core.clock import simulated_clock, utcnow
from oversight.core.config import Settings
from oversight.core.periods import Month, Period
from oversight.core.roles import Actor, Role
from tests.helpers import Api, assert_problem, run_cli, serve

SUMMARY = "/api/v1/public/reports/summary"
SECRET_WORDS = "Witness lives at 12 Elm"


async def seed(api: Api, settings: Settings) -> dict[str, Any]:
    """18 concerns 20 days before this month began (so in the default period, which is of
    complete months, whatever today's date): 9 in Monument Corridor, 6 in Downtown, 3 in Sun
    Terrace; five of them triaged after 2, 3, 4, 5 and 6 days."""
    commissioner = await api.person(Role.COMMISSIONER)
    actor = Actor(commissioner.id, Role.COMMISSIONER)
    start = Period.resolve(None, None, utcnow().date()).upper - timedelta(days=20)
    clock = start
    ids = []
    with simulated_clock(lambda: clock):
        places = ["Monument Corridor"] * 9 + ["Downtown"] * 6 + ["Sun Terrace"] * 3
        for place in places:
            async with api.database.unit_of_work() as session:
                created = await concerns.submit(
                    session,
                    settings,
                    None,
                    ConcernCreate(
                        kind="complaint",
                        category="discourtesy",
                        summary="Rude stop",
                        description=SECRET_WORDS,
                        location=LocationCreate(neighborhood=place),
                    ),
                )
                ids.append(created["id"])
        for index, days in enumerate((2, 3, 4, 5, 6)):
            clock = start + timedelta(days=days)
            async with api.database.unit_of_work() as session:
                await concerns.transition(
                    session, settings, actor, ids[index], '"1"', ConcernTransition(to="triaged")
                )
    return {"start": start}


async def test_summary_numbers_and_suppression(api: Api, settings: Settings) -> None:
    await seed(api, settings)
    response = await api.client.get(SUMMARY)
    assert response.status_code == 200, response.text
    report = response.json()
    figures = report["concerns"]
    assert figures["received"] == 18
    # Sun Terrace (3) is not even named (places are typed in by residents); its count is
    # hidden, and Downtown's with it: otherwise 18 - 9 - 6 would give it away.
    assert figures["by_neighborhood"] == {
        "Monument Corridor": 9,
        "Downtown": None,
        "suppressed": None,
    }
    assert "Sun Terrace" not in response.text
    assert figures["by_kind"] == {"complaint": 18}
    assert figures["by_status"] == {"submitted": 13, "triaged": 5}
    assert report["timeliness"]["median_days_to_triage"] == 4.0
    assert report["timeliness"]["median_days_to_response"] is None  # fewer than 5 records
    assert report["suppression_threshold"] == 5
    head = (await api.client.get("/api/v1/public/audit/head")).json()
    assert report["audit_head"] == {"seq": head["seq"], "hash": head["hash"]}
    assert SECRET_WORDS not in response.text
    # The default period ends with the last complete month.
    assert report["period"]["to"] == str(Month.of(utcnow().date()).plus(-1))


async def test_summary_as_csv(api: Api, settings: Settings) -> None:
    await seed(api, settings)
    # `summary.csv`'s old links: a 303 to it.
    by_param = await api.client.get(SUMMARY, params={"format": "csv"}, follow_redirects=True)
    by_header = await api.client.get(SUMMARY, headers={"Accept": "text/csv"}, follow_redirects=True)
    for response in (by_param, by_header):
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["section", "dimension", "value"]
        assert ["concerns.by_neighborhood", "suppressed", "suppressed"] in rows
        assert ["concerns.by_neighborhood", "Downtown", "suppressed"] in rows
        assert ["concerns.by_neighborhood", "Monument Corridor", "9"] in rows
        assert ["concerns", "received", "18"] in rows
        assert ["timeliness", "median_days_to_triage", "4.0"] in rows


async def test_period_bounds(api: Api, settings: Settings) -> None:
    await seed(api, settings)
    long_ago = (utcnow() - timedelta(days=400)).strftime("%Y-%m")
    empty = await api.client.get(SUMMARY, params={"from": long_ago, "to": long_ago})
    assert empty.json()["concerns"]["received"] == 0
    this_month = utcnow().strftime("%Y-%m")
    assert_problem(
        await api.client.get(SUMMARY, params={"from": this_month, "to": long_ago}),
        422,
    )
    assert_problem(await api.client.get(SUMMARY, params={"from": "yesterday"}), 422)
    assert_problem(await api.client.get(SUMMARY, params={"format": "xml"}), 422)


async def test_open_data_is_de_identified(api: Api, settings: Settings) -> None:
    await seed(api, settings)
    response = await api.client.get("/api/v1/public/data/concerns.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 18
    assert list(rows[0]) == [
        "record_id",
        "kind",
        "category",
        "neighborhood",
        "month_received",
        "status",
        "disposition",
        "days_to_response",
        "days_to_resolution",
    ]
    places = [row["neighborhood"] for row in rows]
    assert places.count("Monument Corridor") == 9
    assert places.count("Downtown") == 6
    assert places.count("suppressed") == 3  # Sun Terrace had 3 < 5 records
    assert len({row["record_id"] for row in rows}) == 18
    assert SECRET_WORDS not in response.text
    admin = await api.person(Role.ADMIN)
    listed = await api.client.get("/api/v1/concerns", params={"limit": 200}, headers=admin.headers)
    for concern in listed.json()["items"]:
        assert concern["id"] not in response.text
        assert concern["tracking_code"] not in response.text
    again = await api.client.get("/api/v1/public/data/concerns.csv")
    assert again.text == response.text  # stable record ids


async def test_cli_report_from_the_database_and_over_http(
    api: Api, settings: Settings, tmp_path: Any
) -> None:
    await seed(api, settings)
    served = (await api.client.get(SUMMARY)).json()
    from_db = tmp_path / "db.json"
    result = run_cli(settings, "report", "--format", "json", "--out", str(from_db))
    assert result.returncode == 0, result.stderr
    local = json.loads(from_db.read_text())
    for report in (local, served):
        report.pop("generated_at")
    assert local == served

    as_csv = tmp_path / "db.csv"
    assert run_cli(settings, "report", "--format", "csv", "--out", str(as_csv)).returncode == 0
    assert "concerns.by_neighborhood,suppressed,suppressed" in as_csv.read_text()

    with serve(settings) as base:
        over_http = tmp_path / "http.json"
        result = run_cli(settings, "report", "--api-url", base, "--out", str(over_http))
        assert result.returncode == 0, result.stderr
    remote = json.loads(over_http.read_text())
    remote.pop("generated_at")
    assert remote == served

    bad = run_cli(
        settings,
        "report",
        "--from",
        "2026-05",
        "--to",
        "2026-04",
        "--out",
        str(tmp_path / "x"),
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: ")
    unreachable = run_cli(
        settings, "report", "--api-url", "http://127.0.0.1:9", "--out", str(tmp_path / "y")
    )
    assert unreachable.returncode == 1


async def test_response_times_and_sla(api: Api, settings: Settings) -> None:
    """Five concerns referred together and answered after 1, 2, 3, 4 and 10 days."""
    commissioner = await api.person(Role.COMMISSIONER)
    department = await api.department()
    officer = await api.person(Role.OFFICER, department_id=department)
    staff = Actor(commissioner.id, Role.COMMISSIONER)
    police = Actor(officer.id, Role.OFFICER, department)
    start = utcnow() - timedelta(days=40)
    clock = start
    ids = []
    with simulated_clock(lambda: clock):
        for _ in range(5):
            async with api.database.unit_of_work() as session:
                created = await concerns.submit(
                    session,
                    settings,
                    None,
                    ConcernCreate(kind="complaint", category="bias", summary="s", description="d"),
                )
            async with api.database.unit_of_work() as session:
                await concerns.transition(
                    session, settings, staff, created["id"], '"1"', ConcernTransition(to="triaged")
                )
                await concerns.transition(
                    session,
                    settings,
                    staff,
                    created["id"],
                    '"2"',
                    ConcernTransition(to="referred", department_id=department),
                )
            ids.append(created["id"])
        for concern_id, days in zip(ids, (1, 2, 3, 4, 10), strict=True):
            clock = start + timedelta(days=days)
            async with api.database.unit_of_work() as session:
                await responses.post_response(
                    session, police, concern_id, ResponseCreate(body="Answer", action_taken="none")
                )
    timeliness = (await api.client.get(SUMMARY)).json()["timeliness"]
    assert timeliness["median_days_to_response"] == 3.0
    assert timeliness["p90_days_to_response"] == 7.6  # percentile_cont: 4 + 0.6 * (10 - 4)
    assert timeliness["response_sla_met_pct"] == 100.0
    assert timeliness["median_days_to_triage"] == 0.0
