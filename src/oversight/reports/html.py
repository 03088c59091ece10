"""The summary as one self-contained HTML page a city can publish as is.

Charts are inline SVG drawn by pygal (no script, no external file), each followed by the table
of the figures it draws, so that a screen reader, a phone and a printer all get the numbers.
A suppressed cell is a gap in its chart and reads "suppressed" in its table. Each chart is
drawn twice, wide (screens, print) and narrow (phones), and CSS shows one; an empty chart is a
sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pygal
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from pygal.style import Style

from oversight.reports.summary import UNKNOWN, WITHHELD
from oversight.schemas.reports import PublicSummary

INK = "#1f2933"
BARS = ("#1d4e89", "#c05621")  # dark blue and burnt orange: 4.5:1 or more on white

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground=INK,
    foreground_strong=INK,
    foreground_subtle="#52606d",
    opacity="1",
    opacity_hover="1",
    colors=BARS,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)

_environment = Environment(
    loader=PackageLoader("oversight.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Chart:
    """One figure: a chart and the table behind it."""

    slug: str
    title: str
    horizontal: bool
    description: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    svg: Markup


WITHHELD_LABEL = "Other places (fewer than the threshold each; names withheld)"


def label(code: str) -> str:
    """``use_of_force`` -> ``Use of force``."""
    if code == WITHHELD:
        return WITHHELD_LABEL
    return code.replace("_", " ").capitalize()


def axis(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def cell(value: float | None, unit: str = "") -> str:
    if value is None:
        return "suppressed"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value:,}{unit}"


#: The narrow drawing's width: on a 390 px phone it is drawn about 1:1, so its 13 px labels
#: stay 13 px (the wide one, scaled down to fit, had labels about 5 px tall).
NARROW = 360
NARROW_LABEL = 18
EMPTY = Markup('<p class="empty">Nothing to show for this period.</p>')


def _figure(chart: Any, slug: str, description: str, values: Sequence[float | None]) -> Markup:
    """The chart drawn twice, for wide screens and print and for phones (CSS shows one), or a
    sentence in place of an empty chart."""
    if not any(values):
        return EMPTY
    wide = _svg(chart, slug, description)
    chart.width = NARROW
    # Labels cut to fit beside their bars (the table below gives them whole), and no axis
    # title: pygal loops forever splitting a title into a width it cannot fit in.
    chart.truncate_label = NARROW_LABEL
    chart.x_title = None
    if isinstance(chart, pygal.HorizontalBar):
        chart.show_x_labels = False  # its value axis (pygal swaps them): each bar prints its value
    narrow = _svg(chart, f"{slug}-narrow", description)
    return Markup(f'<div class="wide">{wide}</div><div class="narrow">{narrow}</div>')  # noqa: S704


def _svg(chart: Any, slug: str, description: str) -> Markup:
    svg: str = chart.render(is_unicode=True)
    # Stable ids (pygal draws a random one) and no generator comments: the same figures give
    # the same page, byte for byte.
    svg = re.sub(r"<!--.*?-->", "", svg)
    # pygal writes its tooltip configuration as a script even with js=[]: no script here.
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"chart-[0-9a-f]{8}-[0-9a-f-]{27}", f"chart-{slug}", svg)
    svg = svg.replace('id="activate-serie-', f'id="{slug}-serie-')  # unique on the page
    described = f'<svg role="img" aria-label="{description} The table below gives the figures."'
    return Markup(svg.replace("<svg", described, 1))  # noqa: S704 - pygal's own SVG


def _config(**options: Any) -> dict[str, Any]:
    return {
        "style": _STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "print_values": True,
        "print_zeroes": True,
        "print_values_position": "top",
        "value_formatter": axis,
        "show_legend": False,
        "width": 720,
        "margin": 12,
        "margin_right": 48,  # room for the value printed past a bar's end
        "truncate_label": -1,
        **options,
    }


def as_typed(name: str) -> str:
    """A name people typed (a neighborhood), shown as typed; only the service's own keys are
    put in words."""
    return label(name) if name in (WITHHELD, UNKNOWN) else name


def _bars(
    slug: str,
    title: str,
    dimension: str,
    unit_name: str,
    cells: dict[str, Any],
    name: Callable[[str], str] = label,
) -> Chart:
    """A horizontal bar per cell, largest first, suppressed cells last; ``name`` turns a key
    into its label."""
    ordered = sorted(cells.items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0), kv[0]))
    description = f"Bar chart: {title.lower()}."
    chart = pygal.HorizontalBar(**_config(height=max(140, 44 * len(ordered) + 60)))
    # pygal draws the first label at the bottom; reverse so that the largest is on top.
    chart.x_labels = [name(k) for k, _ in reversed(ordered)]
    chart.add(unit_name, [v for _, v in reversed(ordered)])
    return Chart(
        slug,
        title,
        True,
        description,
        (dimension, unit_name),
        [(name(k), cell(v)) for k, v in ordered],
        _figure(chart, slug, description, [v for _, v in ordered]),
    )


def _months(figures: PublicSummary) -> Chart:
    months = figures.concerns.by_month
    description = (
        "Bar chart: concerns received and closed each month. A month marked * has a count"
        " suppressed to protect privacy: its missing bar is not a zero."
    )
    chart = pygal.Bar(
        **_config(height=360, show_legend=True, legend_at_bottom=True, x_label_rotation=-45)
    )
    # A suppressed month is drawn as suppressed, never as an empty (zero-looking) month.
    chart.x_labels = [
        f"{m.month} *" if m.received is None or m.closed is None else m.month for m in months
    ]
    chart.add("Received", [m.received for m in months])
    chart.add("Closed", [m.closed for m in months])
    return Chart(
        "months",
        "Concerns per month",
        False,
        description,
        ("Month", "Received", "Closed"),
        [(m.month, cell(m.received), cell(m.closed)) for m in months],
        _figure(
            chart, "months", description, [m.received for m in months] + [m.closed for m in months]
        ),
    )


def _stage_times(figures: PublicSummary) -> Chart:
    t = figures.timeliness
    stages = {
        "Submission to triage (median)": t.median_days_to_triage,
        "Referral to department response (median)": t.median_days_to_response,
        "Referral to department response (90th percentile)": t.p90_days_to_response,
        "Submission to resolution (median)": t.median_days_to_resolution,
    }
    description = "Bar chart: days each stage took."
    chart = pygal.HorizontalBar(**_config(height=240, x_title="Days"))
    chart.x_labels = list(reversed(stages))
    chart.add(
        "Days",
        [None if v is None else round(v, 1) for v in reversed(stages.values())],
        formatter=lambda v: f"{v:.1f}",
    )
    return Chart(
        "stages",
        "How long each stage took",
        True,
        description,
        ("Stage", "Days"),
        [(name, "not enough data" if v is None else f"{v:.1f}") for name, v in stages.items()],
        _figure(chart, "stages", description, list(stages.values())),
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
    title = "Community participation"
    description = "Bar chart: comments, sign-ups to speak, proposals and supports in the period."
    chart = pygal.HorizontalBar(**_config(height=44 * len(rows) + 60))
    chart.x_labels = [name for name, _ in reversed(rows)]
    chart.add("Count", [value for _, value in reversed(rows)])
    return Chart(
        "participation",
        title,
        True,
        description,
        ("Participation", "Count"),
        [(name, cell(value)) for name, value in rows],
        _figure(chart, "participation", description, [value for _, value in rows]),
    )


def dollars(text: str) -> str:
    """A decimal string of money as a reader expects it: ``"1234567.8"`` -> ``$1,234,567.80``."""
    return f"${Decimal(text):,.2f}"


def _figure_bars(
    slug: str,
    title: str,
    columns: tuple[str, str],
    rows: list[tuple[str, float | None, str]],
    x_title: str | None = None,
) -> Chart:
    """Horizontal bars in the given order (label, value drawn, value as the table shows it)."""
    description = f"Bar chart: {title[0].lower() + title[1:]}."
    chart = pygal.HorizontalBar(**_config(height=max(140, 44 * len(rows) + 60), x_title=x_title))
    chart.x_labels = [name for name, _, _ in reversed(rows)]
    chart.add(columns[1], [value for _, value, _ in reversed(rows)])
    return Chart(
        slug,
        title,
        True,
        description,
        columns,
        [(name, shown) for name, _, shown in rows],
        _figure(chart, slug, description, [value for _, value, _ in rows]),
    )


def _budget(figures: PublicSummary) -> list[Chart]:
    """The police budget of the period's fiscal year by category, and its share of the city's
    budget over the years on record."""
    budget = figures.budget
    if budget is None:
        return []
    categories = sorted(budget.by_category.items(), key=lambda kv: -Decimal(kv[1]))
    by_category = _figure_bars(
        "budget",
        f"Police budget {budget.label} by category (adopted)",
        ("Category", "Adopted"),
        # Drawn in millions (labels that fit on a phone); the table gives every cent.
        [
            (label(name), float(Decimal(value) / 1_000_000), dollars(value))
            for name, value in categories
        ],
        x_title="$ millions",
    )
    trend = _figure_bars(
        "budget-share",
        "Police share of the city budget",
        ("Fiscal year", "Share of the city budget"),
        [
            (
                str(year.year),
                None if year.police_share_pct is None else float(year.police_share_pct),
                "unknown" if year.police_share_pct is None else f"{year.police_share_pct}%",
            )
            for year in budget.trend
        ],
        x_title="Percent",
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
            "no figure" if minutes is None else minutes,
        )
        for priority, minutes in sorted(operations.median_response_minutes_by_priority.items())
    ]
    return [
        _figure_bars(
            "response-times",
            "Median police response by call priority",
            ("Priority", "Minutes"),
            rows,
            x_title="Minutes",
        )
    ]


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
        ("Recommendations implemented", cell(commission.implementation_rate_pct, "%")),
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
    return _environment.get_template("summary.html.j2").render(
        figures=figures,
        headline=headline,
        charts=charts,
        tables=[
            (title, column, [(label(k), cell(v)) for k, v in cells.items()])
            for title, column, cells in tables
        ],
    )
