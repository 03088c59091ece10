"""What the HTML report says in words: names people typed come out as text, never markup; the
default period is of complete months; every figure carries its unit, and every mark its
explanation, where a reader sees it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from oversight.concerns import service as concerns
from oversight.concerns.schemas import ConcernCreate, LocationCreate
from oversight.core.clock import simulated_clock, utcnow
from oversight.core.config import Settings
from oversight.core.periods import Month
from oversight.core.roles import Role
from oversight.reports.charts import count_ticks, dollars, millions
from tests.helpers import Api, concern_body, run_cli

SUMMARY = "/api/v1/public/reports/summary"

#: What an admin or a resident could type, each trying another way out of its context.
YEAR_LABEL = 'x" onload="alert(document.domain)//'
CATEGORY_LABEL = '"><script>alert(1)</script><svg onload=alert(2)>&amp; R&D'
PLACE = "</svg><img src=x onerror=alert(3)>'\" & Co"
TYPED = (YEAR_LABEL, CATEGORY_LABEL, PLACE)


class Parsed(HTMLParser):
    """Every element, attribute and text a browser's parser would find."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def this_month() -> str:
    return str(Month.of(utcnow().date()))


async def typed_by_people(api: Api) -> None:
    """A fiscal year, a category and a neighborhood named with markup, all shown by the report."""
    admin = await api.person(Role.ADMIN)
    year = {
        "label": YEAR_LABEL,
        "starts_on": "2026-07-01",
        "ends_on": "2027-06-30",
        "city_total": "250000000.00",
        "lines": [
            {"program": "Patrol", "category": "personnel", "adopted": "118342117.25"},
            {"program": "Other", "category": "other", "adopted": "963000"},
        ],
    }
    response = await api.client.put("/api/v1/budget/2027", json=year, headers=admin.headers)
    assert response.status_code == 200, response.text
    body = {"code": "typed_markup", "label": CATEGORY_LABEL}
    response = await api.client.post("/api/v1/categories", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    for _ in range(5):  # the suppression threshold: the place is named
        response = await api.client.post(
            "/api/v1/concerns",
            json=concern_body(category="typed_markup", location={"neighborhood": PLACE}),
        )
        assert response.status_code == 201, response.text


def assert_text_only(text: str) -> None:
    page = Parsed(text)
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"script", "img", "iframe", "object", "embed", "link"}, tags
    for tag, attrs in page.elements:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, (tag, attrs)
        assert all("javascript:" not in (value or "") for value in attrs.values()), attrs
    # Each name is there, whole, as text or as an attribute's value, never cut into markup.
    found = "\n".join(page.texts)
    values = "\n".join(value or "" for _, attrs in page.elements for value in attrs.values())
    for typed in TYPED:
        assert typed in found, typed
    assert YEAR_LABEL in values  # the budget chart's text alternative names the year
    labels = [attrs.get("aria-label") or "" for _, attrs in page.elements]
    assert any(f"police budget {YEAR_LABEL} by category" in label for label in labels)


async def test_names_people_typed_come_out_as_text_in_the_file_and_the_page(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    await typed_by_people(api)
    out = tmp_path / "report.html"
    month = this_month()
    result = run_cli(settings, "report", "--format", "html", "--to", month, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert_text_only(out.read_text(encoding="utf-8"))
    served = await api.client.get(
        SUMMARY, params={"format": "html", "to": month}, follow_redirects=True
    )
    assert served.status_code == 200
    assert_text_only(served.text)


async def file_concerns(api: Api, settings: Settings, count: int, days_ago: int) -> None:
    at = utcnow() - timedelta(days=days_ago)
    with simulated_clock(lambda: at):
        for _ in range(count):
            async with api.database.unit_of_work() as session:
                await concerns.submit(
                    session,
                    settings,
                    None,
                    ConcernCreate(
                        kind="complaint",
                        category="discourtesy",
                        summary="Rude stop",
                        description="Words",
                        location=LocationCreate(neighborhood="Downtown"),
                    ),
                )


async def test_a_month_in_progress_never_costs_a_complete_month_its_figure(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    """Six concerns last month and two this month: the two are a small cell, and with this
    month in the period they would hide last month's six as their complement."""
    await file_concerns(api, settings, 6, utcnow().day + 10)
    await file_concerns(api, settings, 2, 0)
    current = Month.of(utcnow().date())
    complete = str(current.plus(-1))

    # The default period: the last twelve complete months, last month's six shown.
    default = (await api.client.get(SUMMARY)).json()
    assert default["period"] == {"from": str(current.plus(-12)), "to": complete}
    assert default["concerns"]["by_month"][-1] == {"month": complete, "received": 6, "closed": 0}
    assert default["concerns"]["received"] == 6
    out = tmp_path / "report.json"
    result = run_cli(settings, "report", "--format", "json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["period"] == default["period"]
    page = (await api.client.get(SUMMARY, params={"format": "html"}, follow_redirects=True)).text
    assert f"{complete} *" not in page and "marked *" not in page  # no mark, no note

    # Asked for, the month in progress is there, said to be in progress, and its marks are
    # explained in words beside the chart, not only to screen readers.
    asked = {"to": str(current)}
    report = (await api.client.get(SUMMARY, params=asked)).json()
    assert [m["received"] for m in report["concerns"]["by_month"][-2:]] == [None, None]
    page = (
        await api.client.get(SUMMARY, params={**asked, "format": "html"}, follow_redirects=True)
    ).text
    visible = " ".join(" ".join(Parsed(page).texts).split())
    assert f"{current} is the month in progress" in visible
    assert "A month marked * has a count suppressed to protect privacy" in visible


OPERATIONS = """month,neighborhood,priority,calls,median_response_minutes
2026-09,Downtown,1,100,6.5
2026-09,Downtown,4,300,42.0
"""


async def test_every_figure_says_its_unit(api: Api, settings: Settings, tmp_path: Path) -> None:
    await typed_by_people(api)
    ops = tmp_path / "ops.csv"
    ops.write_text(OPERATIONS, encoding="utf-8")
    assert run_cli(settings, "operations", "import", "--file", str(ops)).returncode == 0
    page = await api.client.get(
        SUMMARY,
        params={"format": "html", "from": "2026-09", "to": this_month()},
        follow_redirects=True,
    )
    visible = " ".join(" ".join(Parsed(page.text).texts).split())
    # Money: millions in words beside the bars, whole dollars in the table, cents only when
    # an amount has some and is under a million.
    assert "$118.3 million" in visible and re.search(r"\$118,342,117(?![.\d])", visible)
    assert re.search(r"\$963,000(?![.\d])", visible) and "$963,000.00" not in visible
    assert f"Fiscal year {YEAR_LABEL} runs from July 2026 to June 2027." in visible
    assert "6.5 minutes" in visible and "42.0 minutes" in visible
    assert "1 is the most urgent, 4 the least urgent" in visible
    assert "In days." in visible
    assert "%" in visible

    assert count_ticks(1) == [0, 1]
    assert count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(47) == [0, 10, 20, 30, 40, 50]
    assert count_ticks(0) == [0, 1]
    assert dollars("1234.5") == "$1,234.50" and dollars("1000000.50") == "$1,000,001"
    assert millions("999999.99") == "$999,999.99" and millions("1250000") == "$1.3 million"


async def test_recommendations_say_which_period_they_count(api: Api) -> None:
    page = await api.client.get(SUMMARY, params={"format": "html"}, follow_redirects=True)
    visible = " ".join(" ".join(Parsed(page.text).texts).split())
    assert "Recommendations of the resolutions adopted in this period." in visible
    assert "The public scorecard counts those of every adopted resolution, all time" in visible
    assert "Recommendations implemented, of those made in this period" in visible
    schemas = (await api.client.get("/openapi.json")).json()["components"]["schemas"]
    summary = schemas["PublicRecommendationFigures"]["properties"]
    scorecard = schemas["PublicScorecard"]["properties"]
    assert "in the period" in summary["total"]["description"]
    assert "all time" in summary["total"]["description"]
    assert "all time" in scorecard["total"]["description"]
    assert "its period only" in scorecard["total"]["description"]
