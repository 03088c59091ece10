"""The CSV imports as a commission runs them: dispatch medians with any number of decimals,
and every bad file (a huge field, a digit that is not ASCII, a NUL) is one line naming its
row and exit 1, with nothing imported. Through the installed command, against the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from oversight.core.config import Settings
from oversight.core.roles import Role
from tests.budget.test_budget import BUDGET_CSV, OPERATIONS_CSV, import_budget, put_year, write
from tests.helpers import Api, assert_problem, run_cli

OPERATIONS_HEADER = OPERATIONS_CSV.splitlines()[0]


async def months(api: Api) -> dict[str, dict[str, object]]:
    params = {"from": "2026-01", "to": "2026-12"}
    response = await api.client.get("/api/v1/public/operations", params=params)
    assert response.status_code == 200, response.text
    by_month: dict[str, dict[str, object]] = response.json()["by_month"]
    return by_month


async def test_medians_with_two_or_more_decimals_round_half_even_to_a_tenth(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    rows = [
        "2026-01,Downtown,1,10,7.25",  # a tie: to the even tenth, 7.2
        "2026-02,Downtown,1,10,7.35",  # a tie: 7.4
        "2026-03,Downtown,1,10,6.04999",  # below the tie: 6.0
        "2026-04,Downtown,1,10,7.2583333",  # 435.5 seconds: 7.3
        "2026-05,Downtown,1,10,0.05",  # a tie: 0.0
        "2026-06,Downtown,1,10,12",
    ]
    path = write(tmp_path, "dispatch.csv", "\n".join([OPERATIONS_HEADER, *rows]) + "\n")
    result = run_cli(settings, "operations", "import", "--file", str(path))
    assert result.returncode == 0, result.stderr
    medians = {
        month: cell["median_response_minutes"] for month, cell in (await months(api)).items()
    }
    assert medians == {
        "2026-01": "7.2",
        "2026-02": "7.4",
        "2026-03": "6.0",
        "2026-04": "7.3",
        "2026-05": "0.0",
        "2026-06": "12.0",
    }


def test_the_help_says_how_medians_are_rounded(settings: Settings) -> None:
    result = run_cli(settings, "operations", "import", "--help")
    assert result.returncode == 0, result.stderr
    assert "half-even" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-09,Downtown,1,²,6.5", "line 2: calls '²' is not a count"),
        ("2026-09,Downtown,1,\u0663,6.5", "line 2: calls '\u0663' is not a count"),
        ("2026-09,Downtown,1,1" + "0" * 5000 + ",6.5", "line 2: calls '10000"),
        (
            "\u0662\u0660\u0662\u0666-09,Downtown,1,3,6.5",
            "line 2: month '\u0662\u0660\u0662\u0666-09' is not YYYY-MM",
        ),
        (
            "2026-09,Downtown,1,3,\u0666.\u0665",
            "line 2: median_response_minutes '\u0666.\u0665' is not minutes",
        ),
        ("2026-09,Downtown,1,3,-0.5", "line 2: median_response_minutes '-0.5' is not minutes"),
        ("2026-09,Downtown,1,3,NaN", "line 2: median_response_minutes 'NaN' is not minutes"),
        ("2026-09,Downtown,1,3,1e2", "line 2: median_response_minutes '1e2' is not minutes"),
        ("2026-09,Downtown,1,3,99999.96", "is not minutes (0 to 99999.9"),
        ('2026-09,"' + "x" * 200_000 + '",1,3,6.5', "line 2: field larger than field limit"),
        ("2026-09,Down\0town,1,3,6.5", "line 2: a NUL character"),
    ],
)
async def test_a_bad_operations_file_is_one_line_and_imports_nothing(
    api: Api, settings: Settings, tmp_path: Path, row: str, message: str
) -> None:
    text = f"{OPERATIONS_HEADER}\n{row}\n2026-10,Downtown,1,120,7.0\n"
    path = write(tmp_path, "bad.csv", text)
    result = run_cli(settings, "operations", "import", "--file", str(path))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr, result.stderr
    assert "nothing imported" in result.stderr
    assert len(result.stderr) < 2000  # the bad value is shown shortened, never whole
    assert await months(api) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            BUDGET_CSV.replace("Body cameras", '"' + "x" * 200_000 + '"'),
            "line 4: field larger than field limit",
        ),
        (
            BUDGET_CSV.replace('"1,250,000"', "\u0661\u0662\u0665\u0660"),
            "line 4: adopted: '\u0661\u0662\u0665\u0660' is not an amount",
        ),
        (
            BUDGET_CSV.replace("$875,000.25", "$875,000.\u0662\u0665"),
            "line 5: adopted: '$875,000.\u0662\u0665'",
        ),
        (BUDGET_CSV.replace("Academy", "Acad\0emy"), "line 5: a NUL character"),
        (
            BUDGET_CSV.replace("Patrol,personnel", '"Pat\nrol",personnel').replace(
                '"$9,500,000.50",,,', '"$9,500,000.50",,,' + "N" * 5000
            ),
            "line 4: unknown department 'NNNN",
        ),
        ('"prog\nram",category,adopted,revised,actual\n', "line 1: the header must be"),
        (
            "program,category,adopted,revised,actual,program\nA,other,1,,,B\n",
            "line 1: the header names program twice",
        ),
        (
            "program,category,adopted,revised,actual\n"
            + "".join(f"P{i},other,x,,\n" for i in range(500)),
            "line 2: adopted: 'x' is not an amount",
        ),
    ],
)
async def test_a_bad_budget_file_is_one_line_and_imports_nothing(
    api: Api, settings: Settings, tmp_path: Path, text: str, message: str
) -> None:
    result = import_budget(settings, 2026, write(tmp_path, "bad.csv", text), "300000000")
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr, result.stderr
    assert len(result.stderr) < 2000
    assert_problem(await api.client.get("/api/v1/public/budget/2026"), 404)


@pytest.mark.parametrize("value", ["\u0663", "1\u0662.00", "$\u0661,\u0660\u0660\u0660"])
async def test_money_in_json_with_digits_not_ascii_is_a_422(api: Api, value: str) -> None:
    admin = await api.person(Role.ADMIN)
    lines = [{"program": "X", "category": "other", "adopted": value}]
    problem = assert_problem(await put_year(api, admin, 2028, lines=lines), 422)
    assert problem["errors"][0]["loc"][-1] == "adopted"
    city = assert_problem(await put_year(api, admin, 2028, city_total=value), 422)
    assert city["errors"][0]["loc"][-1] == "city_total"
    assert_problem(await api.client.get("/api/v1/public/budget/2028"), 404)


@pytest.mark.parametrize("label", ["x" * 101, "   "])
async def test_a_label_the_api_would_refuse_is_refused_by_the_cli(
    api: Api, settings: Settings, tmp_path: Path, label: str
) -> None:
    path = write(tmp_path, "budget.csv", BUDGET_CSV)
    command = ["budget", "import", "--year", "2026", "--file", str(path)]
    result = run_cli(settings, *command, "--city-total", "300000000", "--label", label)
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("error: --label: ") and result.stderr.count("\n") == 1
    assert_problem(await api.client.get("/api/v1/public/budget/2026"), 404)
