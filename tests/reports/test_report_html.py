"""The HTML transparency report, and the parts of the summary it draws: self-contained,
accessible, and showing exactly the figures (and the suppressions) of the JSON summary."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.meetings.models import Meeting
from oversight.reports import html
from oversight.reports.schemas import PublicSummary
from oversight.resolutions.models import Recommendation, Resolution
from tests.cases import Cast, reach
from tests.helpers import Api, run_cli, submit
from tests.reports.test_reports import SECRET_WORDS, SUMMARY, seed

CHARTS = [
    "Concerns per month",
    "Concerns by category",
    "Concerns by neighborhood",
    "How long each stage took",
    "Recommendations by status",
    "Community participation",
    "Proposals by status",
]


class Page(HTMLParser):
    """What a reader, a screen reader and a browser would get from the page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.glance: dict[str, str] = {}
        self._text: list[str] | None = None
        self._caption = ""
        self._row: list[str] | None = None
        self._dt = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"h2", "caption", "th", "td", "dt", "dd"}:
            self._text = []
        if tag == "tr":
            self._row = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text or []).split())
        if tag == "h2":
            self.headings.append(text)
        elif tag == "caption":
            self._caption = text
            self.tables[text] = []
        elif tag in {"th", "td"} and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            self.tables[self._caption].append(self._row)
            self._row = None
        elif tag == "dt":
            self._dt = text
        elif tag == "dd":
            self.glance[self._dt] = text
        if tag in {"h2", "caption", "th", "td", "dt", "dd"}:
            self._text = None

    def body(self, caption: str) -> list[list[str]]:
        """A table's rows without its header row."""
        return self.tables[caption][1:]


def reports(settings: Settings, tmp_path: Path) -> tuple[dict[str, Any], str]:
    out_json, out_html = tmp_path / "report.json", tmp_path / "report.html"
    for fmt, out in (("json", out_json), ("html", out_html)):
        result = run_cli(settings, "report", "--format", fmt, "--out", str(out))
        assert result.returncode == 0, result.stderr
    return json.loads(out_json.read_text()), out_html.read_text(encoding="utf-8")


async def test_html_report_shows_the_summary_and_nothing_else(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    await seed(api, settings)
    figures, text = reports(settings, tmp_path)
    page = Page(text)

    # One self-contained page: no script, no stylesheet or image fetched from anywhere.
    tags = [tag for tag, _ in page.tags]
    assert tags[0] == "html" and dict(page.tags[0][1])["lang"] == "en"
    assert "script" not in tags and "link" not in tags and "img" not in tags
    for _, attrs in page.tags:
        assert "src" not in attrs
        assert all(not (attrs.get(a) or "#").lstrip("#").strip() for a in ("href", "xlink:href"))
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in (
        page.tags
    )
    assert "@media print" in text

    # Its own policy, first in the page: no script, nothing fetched, only its own style
    # elements (by hash), so the file is safe wherever it is published.
    metas = [attrs for tag, attrs in page.tags if tag == "meta" and "http-equiv" in attrs]
    assert [m["http-equiv"] for m in metas] == ["Content-Security-Policy"]
    policy = str(metas[0]["content"])
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "unsafe" not in policy and "script-src" not in policy
    assert not any("style" in attrs for _, attrs in page.tags)  # no style attribute to allow

    # Every chart is an image with a text alternative, and the table of its figures follows.
    assert page.headings == ["At a glance", *CHARTS, "More figures"]
    # The months drawn twice, wide and narrow (for phones); bars once, as text that reflows;
    # or a sentence where there is nothing.
    svgs = [attrs for tag, attrs in page.tags if tag == "svg" and attrs.get("role")]
    assert sorted(str(attrs["id"]) for attrs in svgs) == ["chart-months", "chart-months-narrow"]
    images = [attrs for _, attrs in page.tags if attrs.get("role") == "img"]
    assert len(images) - 1 + text.count("Nothing to show for this period.") == len(CHARTS)
    assert len(images) >= 5
    for attrs in images:
        assert (attrs["aria-label"] or "").endswith("The table below gives the figures.")
    for chart in CHARTS:
        assert page.body(f"{chart}: the figures"), chart

    # The figures are the summary's, suppressions included.
    concerns = figures["concerns"]
    assert page.glance["Concerns received"] == str(concerns["received"]) == "18"
    assert page.body("Concerns by neighborhood: the figures") == [
        ["Monument Corridor", "9"],  # as typed
        ["Downtown", "suppressed"],
        [html.WITHHELD_LABEL, "suppressed"],
    ]
    assert "Sun Terrace" not in text
    assert page.body("Concerns by category: the figures") == [["Discourtesy", "18"]]
    stages = {row[0]: row[1] for row in page.body("How long each stage took: the figures")}
    assert stages["Submission to triage (median)"] == "4.0"
    assert stages["Referral to department response (median)"] == "not enough data"
    months = page.body("Concerns per month: the figures")
    assert [m[0] for m in months] == [m["month"] for m in concerns["by_month"]]
    assert sum(int(m[1]) for m in months if m[1] != "suppressed") <= 18
    assert page.body("Concerns by kind") == [["Complaint", "18"]]
    assert page.glance["Responses on time"] == "suppressed"

    # Provenance: the audit head it was computed at.
    assert figures["audit_head"]["hash"] in text
    assert f"audit-log entry {figures['audit_head']['seq']}" in text
    # Nothing a resident wrote.
    assert SECRET_WORDS not in text

    # The same figures give the same page, byte for byte (no random ids, no timestamps).
    summary = PublicSummary.model_validate(figures)
    assert html.render(summary) == html.render(summary)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", text)


async def test_statuses_dispositions_and_months(api: Api, cast: Cast) -> None:
    """6 closed with a disposition, 2 dismissed, 3 still submitted, all this month."""
    for status, count in (("closed", 6), ("dismissed", 2), ("submitted", 3)):
        for _ in range(count):
            await reach(api, cast, status)
    # The month in progress only when asked for: the default period is of complete months.
    report = (await api.client.get(SUMMARY, params={"to": utcnow().strftime("%Y-%m")})).json()
    concerns = report["concerns"]
    assert concerns["received"] == 11
    # Both small cells are hidden; neither can be worked out from 11 - 6.
    assert concerns["by_status"] == {"closed": 6, "dismissed": None, "submitted": None}
    assert concerns["dispositions"] == {"acknowledged": 6}
    month = utcnow().strftime("%Y-%m")
    assert concerns["by_month"][-1] == {"month": month, "received": 11, "closed": 8}
    assert all(
        row == {"month": row["month"], "received": 0, "closed": 0}
        for row in concerns["by_month"][:-1]
    )
    assert report["timeliness"]["median_days_to_resolution"] == 0.0


async def test_commission_figures_agree_with_the_records(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    """A demo year: the commission's figures and the scorecard chart against plain counts."""
    result = run_cli(settings, "seed-demo", "--concerns", "80")
    assert result.returncode == 0, result.stderr
    figures, text = reports(settings, tmp_path)
    period = figures["period"]
    lower = datetime.fromisoformat(period["from"] + "-01T00:00:00+00:00")
    async with api.database.unit_of_work() as session:
        held = await session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.status == "adjourned", Meeting.scheduled_at >= lower)
        )
        adopted = [Resolution.status == "adopted", Resolution.decided_at >= lower]
        resolutions = await session.scalar(
            select(func.count()).select_from(Resolution).where(*adopted)
        )
        statuses = dict(
            (
                await session.execute(
                    select(Recommendation.status, func.count())
                    .join(Resolution, Resolution.id == Recommendation.resolution_id)
                    .where(*adopted)
                    .group_by(Recommendation.status)
                )
            ).all()
        )
    commission = figures["commission"]
    assert held and commission["meetings_held"] == held
    assert resolutions and commission["resolutions_adopted"] == resolutions
    assert commission["recommendations"]["total"] == sum(statuses.values())
    for status, cell in commission["recommendations"]["by_status"].items():
        assert cell is None or cell == statuses.get(status, 0)
    implemented = statuses.get("implemented", 0)
    if commission["implementation_rate_pct"] is not None:
        expected = round(100 * implemented / sum(statuses.values()), 1)
        assert commission["implementation_rate_pct"] == expected

    page = Page(text)
    assert page.glance["Commission meetings held"] == str(held)
    assert page.glance["Resolutions adopted"] == str(resolutions)
    shown = {row[0]: row[1] for row in page.body("Recommendations by status: the figures")}
    assert set(shown) == {
        "Pending",
        "Accepted",
        "Partially accepted",
        "Rejected",
        "Implemented",
    }
    for status, cell in commission["recommendations"]["by_status"].items():
        assert shown[html.label(status)] == ("suppressed" if cell is None else str(cell))


async def test_the_api_serves_the_same_page_to_a_browser(api: Api, settings: Settings) -> None:
    await seed(api, settings)
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for response in (
        await api.client.get(f"{SUMMARY}.html"),
        # A link made before `summary.html`, and a browser's Accept: a 303 to it.
        await api.client.get(SUMMARY, params={"format": "html"}, follow_redirects=True),
        await api.client.get(SUMMARY, headers=browser, follow_redirects=True),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        # Its own style elements are allowed, by hash, and nothing else is.
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'; style-src 'sha256-"), policy
        assert "unsafe" not in policy and policy.endswith("; frame-ancestors 'none'"), policy
        assert policy.removesuffix("; frame-ancestors 'none'") in response.text  # its meta tag
        page = Page(response.text)
        assert page.glance["Concerns received"] == "18"
        assert SECRET_WORDS not in response.text
    script = await api.client.get(SUMMARY, headers={"Accept": "*/*"})
    assert script.headers["content-type"].startswith("application/json")
    assert script.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


async def test_labels_are_the_taxonomys_and_names_as_typed(api: Api, cast: Cast) -> None:
    for _ in range(5):  # the suppression threshold
        await submit(
            api,
            cast.resident,
            category="stop_search_arrest",
            location={"neighborhood": "Sun Terrace"},
        )
    month = utcnow().strftime("%Y-%m")
    page = await api.client.get(f"{SUMMARY}.html", params={"to": month})
    assert page.status_code == 200
    text = page.text
    assert "Stop, search or arrest" in text and "Stop search arrest" not in text
    assert "Sun Terrace" in text and "Sun terrace" not in text
    assert "No data" not in text


async def test_an_empty_period_says_so_instead_of_drawing_nothing(api: Api) -> None:
    text = (await api.client.get(SUMMARY, params={"format": "html"}, follow_redirects=True)).text
    assert "No data" not in text
    assert text.count("Nothing to show for this period.") >= 5
