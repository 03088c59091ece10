"""The summary as one self-contained HTML page a city can publish as is.

Each figure is followed by the table of the figures it draws, so that a screen reader, a phone
and a printer all get the numbers. A suppressed cell has no bar and reads "suppressed"; every
mark and unit a figure uses is said in words beside it; an empty figure is a sentence. The page
carries its own Content-Security-Policy (no script at all; its styles allowed by their hashes),
so the file stays safe wherever it is published. Every text in it, names typed by people
included, is escaped: by Jinja's autoescape in the page, by ``xml.etree`` in the SVG.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from html import unescape
from typing import TypeVar

from jinja2 import Environment, PackageLoader, select_autoescape

from oversight.reports.charts import (
    WITHHELD_LABEL,
    Chart,
    as_typed,
    bars,
    cell,
    dollars,
    label,
    millions,
    months_svg,
)
from oversight.reports.formats import DISCIPLINE_FIGURES
from oversight.reports.schemas import PublicSummary

__all__ = ["WITHHELD_LABEL", "as_typed", "cell", "dollars", "label", "render"]

_environment = Environment(
    loader=PackageLoader("oversight.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

#: A dimension's key: a plain string or one of the service's StrEnums.
Key = TypeVar("Key", bound=str)

SUPPRESSED_MARK = (
    "* A month marked * has a count suppressed to protect privacy (the table says which):"
    " its missing bar is not a zero."
)


def _bars(
    slug: str,
    title: str,
    dimension: str,
    unit_name: str,
    cells: Mapping[Key, int | None],
    name: Callable[[str], str] = label,
    notes: tuple[str, ...] = (),
) -> Chart:
    """A bar per cell, largest first, suppressed cells last; ``name`` turns a key into its
    label."""
    ordered = sorted(cells.items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0), kv[0]))
    rows = [(name(k), v, cell(v)) for k, v in ordered]
    return Chart(
        slug,
        title,
        f"Bar chart: {title[0].lower() + title[1:]}.",
        (dimension, unit_name),
        [(shown_name, shown) for shown_name, _, shown in rows],
        bars=bars(rows),
        notes=notes,
    )


def _month_name(day: date) -> str:
    return day.strftime("%B %Y")


def _months(figures: PublicSummary) -> Chart:
    months = figures.concerns.by_month
    marked = [m.received is None or m.closed is None for m in months]
    notes = [SUPPRESSED_MARK] if any(marked) else []
    today = figures.generated_at.date()
    if months and months[-1].month == f"{today:%Y-%m}":
        notes.append(
            f"{months[-1].month} is the month in progress: its figures cover its first"
            f" {today.day} day{'s' if today.day > 1 else ''} only."
        )
    description = "Bar chart: concerns received and closed each month."
    svg = None
    if any(m.received or m.closed for m in months):
        svg = months_svg(
            "months",
            description,
            # A suppressed month is drawn as suppressed, never as an empty (zero-looking) month.
            [f"{m.month} *" if mark else m.month for m, mark in zip(months, marked, strict=True)],
            [("Received", [m.received for m in months]), ("Closed", [m.closed for m in months])],
        )
    return Chart(
        "months",
        "Concerns per month",
        description,
        ("Month", "Received", "Closed"),
        [(m.month, cell(m.received), cell(m.closed)) for m in months],
        svg=svg,
        notes=tuple(notes),
    )


def _stage_times(figures: PublicSummary) -> Chart:
    t = figures.timeliness
    stages = {
        "Submission to triage (median)": t.median_days_to_triage,
        "Referral to department response (median)": t.median_days_to_response,
        "Referral to department response (90th percentile)": t.p90_days_to_response,
        "Submission to resolution (median)": t.median_days_to_resolution,
    }
    rows = [
        (name, v, "not enough data" if v is None else f"{v:.1f} days") for name, v in stages.items()
    ]
    return Chart(
        "stages",
        "How long each stage took",
        "Bar chart: days each stage took.",
        ("Stage", "Days"),
        [(name, "not enough data" if v is None else f"{v:.1f}") for name, v in stages.items()],
        bars=bars(rows),
        notes=("In days. A median is the middle case: half took longer, half less.",),
    )


def _participation(figures: PublicSummary) -> Chart:
    """Residents' part, in a fixed order (the figures are of different kinds): exact counts,
    never suppressed."""
    p = figures.participation
    rows = [
        ("Comments published", p.comments_published),
        ("Sign-ups to speak at meetings", p.speakers),
        ("Proposals made", p.proposals.total),
        ("Supports given to proposals", p.supports),
    ]
    return Chart(
        "participation",
        "Community participation",
        "Bar chart: comments, sign-ups to speak, proposals and supports in the period.",
        ("Participation", "Count"),
        [(name, cell(value)) for name, value in rows],
        bars=bars([(name, value, cell(value)) for name, value in rows]),
    )


def _budget(figures: PublicSummary) -> list[Chart]:
    """The police budget of the period's fiscal year by category, and its share of the city's
    budget over the years on record."""
    budget = figures.budget
    if budget is None:
        return []
    categories = sorted(budget.by_category.items(), key=lambda kv: -Decimal(kv[1]))
    months = (
        f"Fiscal year {budget.label} runs from {_month_name(budget.starts_on)} to"
        f" {_month_name(budget.ends_on)}."
    )
    by_category = Chart(
        "budget",
        f"Police budget {budget.label} by category (adopted)",
        f"Bar chart: police budget {budget.label} by category, as adopted.",
        ("Category", "Adopted"),
        [(label(name), dollars(value)) for name, value in categories],
        bars=bars(
            [(label(name), float(Decimal(value)), millions(value)) for name, value in categories]
        ),
        notes=(months, "Amounts as adopted, in dollars; the table gives them to the dollar."),
    )
    trend = Chart(
        "budget-share",
        "Police share of the city budget",
        "Bar chart: police share of the city budget, by fiscal year.",
        ("Fiscal year", "Share of the city budget"),
        [
            (str(y.year), "unknown" if y.police_share_pct is None else f"{y.police_share_pct}%")
            for y in budget.trend
        ],
        bars=bars(
            [
                (
                    str(y.year),
                    None if y.police_share_pct is None else float(y.police_share_pct),
                    "unknown" if y.police_share_pct is None else f"{y.police_share_pct}%",
                )
                for y in budget.trend
            ]
        ),
        notes=("Police budget as a percentage of the city's budget, each fiscal year.",),
    )
    return [by_category, trend]


def _operations(figures: PublicSummary) -> list[Chart]:
    operations = figures.operations
    if not operations.calls:
        return []
    rows = [
        (
            f"Priority {priority}",
            None if minutes is None else float(minutes),
            "no figure" if minutes is None else f"{minutes} minutes",
        )
        for priority, minutes in sorted(operations.median_response_minutes_by_priority.items())
    ]
    return [
        Chart(
            "response-times",
            "Median police response by call priority",
            "Bar chart: median police response, in minutes, by call priority.",
            ("Priority", "Minutes"),
            [(name, shown.removesuffix(" minutes")) for name, _, shown in rows],
            bars=bars(rows),
            notes=(
                "In minutes: the median response time, as the department reports it.",
                "Calls for service are dispatched by priority: 1 is the most urgent, 4 the"
                " least urgent.",
            ),
        )
    ]


def _discipline(figures: PublicSummary) -> list[Chart]:
    """The concurrence rate of each department and year, and every discipline figure."""
    if not figures.discipline:
        return []
    rows = [
        (
            f"{line.department.code if line.department else 'Not referred'} {line.year}",
            line.concurrence_rate_pct,
            cell(line.concurrence_rate_pct, "%"),
        )
        for line in figures.discipline
    ]
    return [
        Chart(
            "discipline",
            "Discipline: did the department follow the commission?",
            "Bar chart: the share of the commission's discipline recommendations the department"
            " followed, by department and year.",
            ("Department and year", *(label(name) for name in DISCIPLINE_FIGURES)),
            [
                (name, *(cell(getattr(line, f)) for f in DISCIPLINE_FIGURES))
                for (name, _, _), line in zip(rows, figures.discipline, strict=True)
            ],
            bars=bars(rows),
            notes=(
                "In percent: of the recommendations the department decided, those where it"
                " imposed what the commission recommended (the same level, and the same days of"
                " a suspension).",
                "Allegations with a sustained or policy-failure finding, counted in the year"
                " their concern was resolved.",
            ),
        )
    ]


RECOMMENDATIONS_NOTE = (
    "Recommendations of the resolutions adopted in this period. The public scorecard counts"
    " those of every adopted resolution, all time, so its figures can be larger."
)


def render(figures: PublicSummary) -> str:
    concerns = figures.concerns
    commission = figures.commission
    charts = [
        _months(figures),
        _bars(
            "categories",
            "Concerns by category",
            "Category",
            "Concerns",
            concerns.by_category,
            lambda code: figures.category_names.get(code) or label(code),
        ),
        _bars(
            "neighborhoods",
            "Concerns by neighborhood",
            "Neighborhood",
            "Concerns",
            concerns.by_neighborhood,
            as_typed,
        ),
        _stage_times(figures),
        _bars(
            "recommendations",
            "Recommendations by status",
            "Status",
            "Recommendations",
            commission.recommendations.by_status,
            notes=(RECOMMENDATIONS_NOTE,),
        ),
        _participation(figures),
        _bars(
            "proposals",
            "Proposals by status",
            "Status",
            "Proposals",
            figures.participation.proposals.by_status,
        ),
        *_budget(figures),
        *_operations(figures),
        *_discipline(figures),
    ]
    tables = [
        ("Concerns by kind", "Kind", concerns.by_kind),
        ("Concerns by current status", "Status", concerns.by_status),
        ("Outcomes of resolved concerns", "Disposition", concerns.dispositions),
    ]
    t = figures.timeliness
    headline = [
        ("Concerns received", cell(concerns.received)),
        ("Median days to a department response", cell(t.median_days_to_response)),
        ("Responses on time", cell(t.response_sla_met_pct, "%")),
        ("Open concerns past a deadline", cell(t.overdue_open)),
        ("Commission meetings held", cell(commission.meetings_held)),
        ("Resolutions adopted", cell(commission.resolutions_adopted)),
        (
            "Recommendations implemented, of those made in this period",
            cell(commission.implementation_rate_pct, "%"),
        ),
    ]
    if figures.budget is not None and figures.budget.police_share_pct is not None:
        headline.append(
            (
                f"Police share of the city budget ({figures.budget.label})",
                f"{figures.budget.police_share_pct}%",
            )
        )
    if figures.operations.concerns_per_10k_calls is not None:
        headline.append(
            ("Concerns per 10,000 calls for service", figures.operations.concerns_per_10k_calls)
        )
    page = _environment.get_template("summary.html.j2").render(
        figures=figures,
        headline=headline,
        charts=charts,
        tables=[
            (title, column, [(label(k), cell(v)) for k, v in cells.items()])
            for title, column, cells in tables
        ],
    )
    return page.replace(CSP_PLACEHOLDER, content_security_policy(page), 1)


#: Where the template's CSP meta tag takes the policy, computed once the page is written.
CSP_PLACEHOLDER = "@content-security-policy@"
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL)


def content_security_policy(page: str) -> str:
    """No script, nothing fetched; the page's own style elements, each by its hash (a style
    attribute would need 'unsafe-inline': the page has none)."""
    hashes: dict[str, None] = {}
    for found in _STYLE.finditer(page):
        css = found.group(1)
        before = page[: found.start()]
        if before.rfind("<svg") > before.rfind("</svg>"):
            # In an SVG a style element's text is parsed as XML text, entities read: the
            # browser hashes "a > b" where the markup says "a &gt; b".
            css = unescape(css)
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        hashes[f"'sha256-{digest}'"] = None
    styles = " ".join(hashes) or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; img-src 'none'; base-uri 'none';"
        " form-action 'none'"
    )
