"""The police budget and operational figures: imported by CSV (CLI) or JSON (HTTP), all or
nothing, every bad row named; read publicly with exact totals and shares."""

from __future__ import annotations

import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from oversight.core.config import Settings
from oversight.core.roles import Role
from tests.cases import Cast
from tests.helpers import Api, Person, assert_problem, concern_body, run_cli

BUDGET_CSV = """program,category,adopted,revised,actual,department
Patrol,personnel,"$120,000,000.00","$121,500,000.00","$119,876,543.21",PAT
Patrol overtime,overtime,"$9,500,000.50",,,
Body cameras,technology,"1,250,000",,"1,199,999.99",
Academy,training,"$875,000.25",,,
"""


def year_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "label": "FY2026",
        "starts_on": "2025-07-01",
        "ends_on": "2026-06-30",
        "city_total": "1000.00",
        "lines": [
            {"program": "Patrol", "category": "personnel", "adopted": "500.01"},
            {"program": "Overtime", "category": "overtime", "adopted": "99.99", "actual": "120"},
            {"program": "Radios", "category": "equipment", "adopted": "0.33", "revised": "1"},
        ],
    }
    return body | overrides


async def put_year(api: Api, admin: Person, year: int, **overrides: Any) -> Any:
    return await api.client.put(
        f"/api/v1/budget/{year}", json=year_body(**overrides), headers=admin.headers
    )


async def test_a_year_put_as_json_adds_up_exactly(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    response = await put_year(api, admin, 2026)
    assert response.status_code == 200, response.text
    year = response.json()
    assert year["police_total"] == "600.33"  # 500.01 + 99.99 + 0.33, in cents
    assert year["city_total"] == "1000.00"
    assert year["police_share_pct"] == "60.0"  # 60.033 to one decimal
    assert year["by_category"]["personnel"] == "500.01"
    assert year["by_category"]["overtime"] == "99.99"
    assert year["by_category"]["training"] == "0.00"
    assert year["actual_total"] == "120.00"
    assert [line["revised"] for line in year["lines"]] == [None, None, "1.00"]
    public = await api.client.get("/api/v1/public/budget/2026")
    assert public.json() == year
    events = await api.audit_events(action="budget.imported")
    assert events[-1]["data"]["year"] == 2026
    assert len(events[-1]["data"]["sha256"]) == 64
    assert events[-1]["data"]["police_total"] == "600.33"


@pytest.mark.parametrize(
    ("whole", "part", "share"),
    [("3.00", "1.00", "33.3"), ("3.00", "2.00", "66.7"), ("8.00", "1.00", "12.5")],
)
async def test_shares_round_half_up_to_one_decimal(
    api: Api, whole: str, part: str, share: str
) -> None:
    admin = await api.person(Role.ADMIN)
    lines = [{"program": "All", "category": "other", "adopted": part}]
    response = await put_year(api, admin, 2030, city_total=whole, lines=lines)
    assert response.json()["police_share_pct"] == share


async def test_many_small_lines_sum_to_the_cent(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    lines = [{"program": f"Line {i}", "category": "other", "adopted": "0.10"} for i in range(999)]
    response = await put_year(api, admin, 2027, lines=lines)
    assert response.json()["police_total"] == "99.90"  # a float sum would drift


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"lines": [{"program": "X", "category": "other", "adopted": "-1.00"}]}, "adopted"),
        ({"lines": [{"program": "X", "category": "horses", "adopted": "1.00"}]}, "category"),
        ({"lines": [{"program": "X", "category": "other", "adopted": "1.005"}]}, "adopted"),
        ({"lines": [{"program": "X", "category": "other", "adopted": 1.5}]}, "adopted"),
        ({"lines": []}, "lines"),
        ({"city_total": "abc"}, "city_total"),
        ({"city_total": "1.00"}, "city_total"),  # less than the police lines
        ({"ends_on": "2025-01-01"}, "ends_on"),
    ],
)
async def test_bad_json_is_a_422_and_imports_nothing(
    api: Api, overrides: dict[str, Any], where: str
) -> None:
    admin = await api.person(Role.ADMIN)
    problem = assert_problem(await put_year(api, admin, 2028, **overrides), 422)
    assert where in [str(part) for error in problem["errors"] for part in error["loc"]]
    assert_problem(await api.client.get("/api/v1/public/budget/2028"), 404)


async def test_only_admins_import(api: Api, cast: Cast) -> None:
    for person in (cast.commissioner, cast.officer, cast.resident):
        assert_problem(await put_year(api, person, 2026), 403)
    assert_problem(await api.client.put("/api/v1/budget/2026", json=year_body()), 401)


def import_budget(
    settings: Settings, year: int, path: Path, city_total: str
) -> subprocess.CompletedProcess[str]:
    return run_cli(
        settings,
        "budget",
        "import",
        "--year",
        str(year),
        "--file",
        str(path),
        "--city-total",
        city_total,
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


async def test_a_finance_office_csv_through_the_cli(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    admin = await api.person(Role.ADMIN)
    patrol = await api.client.post(
        "/api/v1/departments", json={"code": "PAT", "name": "Patrol"}, headers=admin.headers
    )
    assert patrol.status_code == 201
    await put_year(
        api,
        admin,
        2025,
        city_total="200000000.00",
        lines=[{"program": "Everything", "category": "other", "adopted": "100000000.00"}],
    )
    path = write(tmp_path, "fy2026.csv", BUDGET_CSV)
    result = import_budget(settings, 2026, path, "$219,000,000.00")
    assert result.returncode == 0, result.stderr
    assert "police 131625000.75 of 219000000.00 (60.1%)" in result.stdout
    year = (await api.client.get("/api/v1/public/budget/2026")).json()
    assert year["police_total"] == "131625000.75"
    assert year["lines"][0]["actual"] == "119876543.21"
    assert year["lines"][0]["department_id"] == patrol.json()["id"]
    assert year["previous_year_change_pct"] == "31.6"
    listed = (await api.client.get("/api/v1/public/budget")).json()["items"]
    assert [y["year"] for y in listed] == [2026, 2025]
    csv = await api.client.get("/api/v1/public/budget/2026.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1] == "Patrol,personnel,120000000.00,121500000.00,119876543.21"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            BUDGET_CSV.replace("$9,500,000.50", "-9500000"),
            "line 3: adopted: '-9500000' is negative",
        ),
        (BUDGET_CSV.replace("technology", "horses"), "line 4: unknown category 'horses'"),
        (BUDGET_CSV.replace('"1,250,000"', '"12,50"'), "line 4: adopted: '12,50' is not an amount"),
        (BUDGET_CSV.replace('"1,250,000"', "1,250,000"), "line 4: 8 fields, the header has 6"),
        ("program,kind,adopted\nPatrol,personnel,1\n", "line 1: the header must be"),
        ("program,category,adopted,revised,actual\n", "the file has no budget lines"),
        (BUDGET_CSV.replace(",PAT", ",NOPE"), "line 2: unknown department 'NOPE'"),
    ],
)
async def test_bad_csv_names_the_line_and_imports_nothing(
    api: Api, settings: Settings, tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "bad.csv", text)
    result = import_budget(settings, 2026, path, "300000000")
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert_problem(await api.client.get("/api/v1/public/budget/2026"), 404)


async def test_a_50_mb_file_is_refused_unread(api: Api, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w") as f:
        f.write("program,category,adopted,revised,actual\n")
        f.write("Patrol,personnel,1,,\n" * 2_500_000)
    result = import_budget(settings, 2026, path, "300000000")
    assert result.returncode == 1
    assert "larger than 10 MB; nothing imported" in result.stderr
    assert_problem(await api.client.get("/api/v1/public/budget/2026"), 404)


OPERATIONS_CSV = """month,neighborhood,priority,calls,median_response_minutes
2026-09,Downtown,1,100,6.5
2026-09,Downtown,2,300,12.0
2026-09,Sun Terrace,1,50,8.0
2026-10,Downtown,1,120,7.0
"""


async def test_operational_figures_through_the_cli(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    result = run_cli(
        settings, "operations", "import", "--file", str(write(tmp_path, "ops.csv", OPERATIONS_CSV))
    )
    assert result.returncode == 0, result.stderr
    assert "4 rows for 2 months" in result.stdout
    figures = (
        await api.client.get(
            "/api/v1/public/operations", params={"from": "2026-09", "to": "2026-10"}
        )
    ).json()
    assert figures["calls"] == 570
    assert figures["by_month"]["2026-09"] == {"calls": 450, "median_response_minutes": "12.0"}
    assert figures["by_priority"]["1"] == {"calls": 270, "median_response_minutes": "7.0"}
    assert figures["by_neighborhood"]["Sun Terrace"]["calls"] == 50
    # A second file for October replaces October only.
    again = write(
        tmp_path, "oct.csv", OPERATIONS_CSV.splitlines()[0] + "\n2026-10,Downtown,1,1,1\n"
    )
    assert run_cli(settings, "operations", "import", "--file", str(again)).returncode == 0
    figures = (
        await api.client.get(
            "/api/v1/public/operations", params={"from": "2026-09", "to": "2026-10"}
        )
    ).json()
    assert figures["calls"] == 451
    bad = write(tmp_path, "bad.csv", OPERATIONS_CSV + "2026-13,Downtown,9,-1,x\n")
    failed = run_cli(settings, "operations", "import", "--file", str(bad))
    assert failed.returncode == 1
    assert "line 6: month '2026-13' is not YYYY-MM" in failed.stderr
    assert "priority '9' is not 1, 2, 3 or 4" in failed.stderr


async def test_budget_lines_take_comments_while_their_year_is_open(api: Api, cast: Cast) -> None:
    admin = await api.person(Role.ADMIN)
    line = (await put_year(api, admin, 2026)).json()["lines"][0]
    comment = {"target": {"type": "budget_line", "id": line["id"]}, "body": "Less overtime."}
    closed = await api.client.post("/api/v1/comments", json=comment, headers=cast.resident.headers)
    assert_problem(closed, 409)
    opened = await api.client.patch(
        "/api/v1/budget/2026", json={"comment_open": True}, headers=admin.headers
    )
    assert opened.status_code == 200 and opened.json()["comment_open"] is True
    posted = await api.client.post("/api/v1/comments", json=comment, headers=cast.resident.headers)
    assert posted.status_code == 201, posted.text
    assert_problem(
        await api.client.patch(
            "/api/v1/budget/2026", json={"comment_open": True}, headers=cast.commissioner.headers
        ),
        403,
    )


async def drive_budget(api: Api, settings: Settings, tmp_path: Path) -> None:
    """Every audited budget change, for tests/audit/test_audit_event_data.py."""
    path = write(tmp_path, "ops.csv", OPERATIONS_CSV)
    assert run_cli(settings, "operations", "import", "--file", str(path)).returncode == 0
    admin = await api.person(Role.ADMIN)
    assert (await put_year(api, admin, 2026)).status_code == 200
    opened = await api.client.patch(
        "/api/v1/budget/2026", json={"comment_open": True}, headers=admin.headers
    )
    assert opened.status_code == 200


async def test_the_summary_and_report_show_the_budget_and_operations(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    admin = await api.person(Role.ADMIN)
    for year, total in ((2026, "1000.00"), (2027, "1100.00")):
        response = await put_year(
            api,
            admin,
            year,
            label=f"FY{year}",
            starts_on=f"{year - 1}-07-01",
            ends_on=f"{year}-06-30",
            city_total=total,
        )
        assert response.status_code == 200, response.text
    ops = write(tmp_path, "ops.csv", OPERATIONS_CSV)
    assert run_cli(settings, "operations", "import", "--file", str(ops)).returncode == 0
    for _ in range(5):  # enough concerns to be published (the suppression threshold)
        await api.client.post("/api/v1/concerns", json=concern_body(occurred_at=None))
    params = {"from": "2026-09", "to": "2026-11"}
    summary = (await api.client.get("/api/v1/public/reports/summary", params=params)).json()
    assert summary["budget"]["year"] == 2027  # the fiscal year the period ends in
    assert summary["budget"]["police_share_pct"] == "54.6"  # 600.33 of 1100.00
    assert [y["year"] for y in summary["budget"]["trend"]] == [2026, 2027]
    assert summary["operations"]["calls"] == 570
    received = summary["concerns"]["received"]
    assert summary["operations"]["concerns_per_10k_calls"] == (
        str((Decimal(received) * 10_000 / 570).quantize(Decimal("0.1"), ROUND_HALF_UP))
    )
    page = await api.client.get("/api/v1/public/reports/summary.html", params=params)
    for heading in (
        "Police budget FY2027 by category (adopted)",
        "Police share of the city budget",
        "Median police response by call priority",
    ):
        assert heading in page.text
    assert "$500.01" in page.text and "54.6%" in page.text
