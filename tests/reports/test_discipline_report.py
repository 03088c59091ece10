"""Discipline in public: by department and year, the commission's recommendations beside what
the department did, with the concurrence rate; counts suppressed as every count about
concerns; the same figures in the summary, its CSV and the HTML report."""

from __future__ import annotations

import pytest

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.roles import Role
from tests.cases import Cast
from tests.conftest import make_settings
from tests.helpers import CONCERNS, Api, Person, moved, submit

THRESHOLD = 2


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Threshold 2, so that a handful of allegations can show figures and hide others."""
    return make_settings(database_url, suppression_threshold=THRESHOLD)


async def sustained_complaint(api: Api, cast: Cast, department: str, allegations: int) -> list[str]:
    """A complaint with ``allegations`` allegations, referred to ``department``, resolved with
    every finding sustained; the allegations' URLs."""
    concern = await submit(
        api, cast.resident, allegations=[{"category": "discourtesy"}] * allegations
    )
    await moved(api, cast.commissioner, concern, "triaged")
    await moved(api, cast.commissioner, concern, "referred", department_id=department)
    await moved(api, cast.commissioner, concern, "under_review", reason="Reviewed by staff.")
    findings = [{"allegation_id": a["id"], "finding": "sustained"} for a in concern["allegations"]]
    await moved(
        api, cast.commissioner, concern, "resolved", disposition="sustained", findings=findings
    )
    return [f"{CONCERNS}/{concern['id']}/allegations/{a['id']}" for a in concern["allegations"]]


async def discipline(
    api: Api, commissioner: Person, officer: Person, url: str, imposed: str | None
) -> None:
    recommended = await api.client.put(
        f"{url}/discipline/recommendation",
        json={"level": "written_reprimand"},
        headers=commissioner.headers,
    )
    assert recommended.status_code == 200, recommended.text
    if imposed is not None:
        decided = await api.client.put(
            f"{url}/discipline/decision",
            json={"level": imposed, "reason": "The chief's decision."},
            headers=officer.headers,
        )
        assert decided.status_code == 200, decided.text


async def test_discipline_by_department_and_year(api: Api, cast: Cast) -> None:
    investigator = await api.person(Role.OFFICER, department_id=cast.department)
    urls = await sustained_complaint(api, cast, str(cast.department), 9)
    imposed = ["written_reprimand"] * 3 + ["training"] * 2 + ["demotion"] * 2 + [None] * 2
    for url, level in zip(urls, imposed, strict=True):
        await discipline(api, cast.commissioner, investigator, url, level)
    south = await api.department("SOUTH")
    south_officer = await api.person(Role.OFFICER, department_id=south)
    (lone,) = await sustained_complaint(api, cast, str(south), 1)
    await discipline(api, cast.commissioner, south_officer, lone, "written_reprimand")

    month = utcnow().strftime("%Y-%m")
    response = await api.client.get(
        "/api/v1/public/discipline", params={"from": month, "to": month}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["suppression_threshold"] == THRESHOLD
    by_code = {row["department"]["code"]: row for row in report["rows"]}
    figures = {k: v for k, v in by_code.pop("SOUTH").items() if k not in ("department", "year")}
    assert set(figures.values()) == {None}  # one allegation: nothing of it is published
    (ours,) = by_code.values()
    assert ours["year"] == utcnow().year
    assert {k: ours[k] for k in ours if k not in ("department", "year")} == {
        "sustained": 9,
        "recommended": 9,
        "concurred": 3,
        "departed_lower": 2,
        "departed_higher": 2,
        "pending": 2,
        "concurrence_rate_pct": 42.9,  # 3 of the 7 decided
    }
    assert "Smith" not in response.text and "reason" not in response.text

    params = {"from": month, "to": month}
    summary = await api.client.get("/api/v1/public/reports/summary", params=params)
    assert summary.json()["discipline"] == report["rows"]
    csv = await api.client.get("/api/v1/public/reports/summary.csv", params=params)
    code = ours["department"]["code"]
    assert f"discipline.{code}.{ours['year']},concurrence_rate_pct,42.9" in csv.text
    assert f"discipline.SOUTH.{ours['year']},sustained,suppressed" in csv.text
    page = await api.client.get("/api/v1/public/reports/summary.html", params=params)
    assert "Discipline: did the department follow the commission?" in page.text
    assert "42.9%" in page.text


async def test_no_discipline_no_rows(api: Api) -> None:
    response = await api.client.get("/api/v1/public/discipline")
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == []
    page = await api.client.get("/api/v1/public/reports/summary.html")
    assert "Discipline: did the department" not in page.text
