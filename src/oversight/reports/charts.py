"""The report's figures as drawings: bars as HTML, the months as a pygal SVG.

A list of horizontal bars is HTML, not SVG: each row's label and value are text that wraps and
reflows at any width and zoom, with its unit, and the bar under them is a rectangle sized in
percent of the row. pygal draws at a fixed width, so its labels either shrink with the drawing
or run off it; it still draws the months, the one chart with an axis, twice: wide (values
printed over the bars) and narrow for phones (no printed values, which would collide; the
table under it gives them). Nothing here writes a text into markup by hand: the template
escapes the bars, and the SVG is edited as a tree (``xml.etree``) and serialized by it.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

from oversight.reports.suppression import UNKNOWN, WITHHELD

INK = "#1f2933"
BARS = ("#1d4e89", "#c05621")  # dark blue and burnt orange: 4.5:1 or more on white
WITHHELD_LABEL = "Other places (fewer than the threshold each; names withheld)"

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


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length in percent of the longest (None: no bar, as for a
    suppressed cell), and its value as printed, with its unit."""

    label: str
    percent: float | None
    shown: str


@dataclass(frozen=True)
class Chart:
    """One figure (bars, or an SVG), the notes that explain its marks and units, and the
    table behind it."""

    slug: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    bars: list[Bar] = field(default_factory=list)
    svg: Markup | None = None
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.svg and not any(bar.percent for bar in self.bars)


def label(code: str) -> str:
    """``use_of_force`` -> ``Use of force``."""
    if code == WITHHELD:
        return WITHHELD_LABEL
    return code.replace("_", " ").capitalize()


def as_typed(name: str) -> str:
    """A name people typed (a neighborhood), shown as typed; only the service's own keys are
    put in words."""
    return label(name) if name in (WITHHELD, UNKNOWN) else name


def cell(value: float | None, unit: str = "") -> str:
    if value is None:
        return "suppressed"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value:,}{unit}"


def dollars(text: str) -> str:
    """Money as a reader expects it: whole dollars from a million, or when there are no cents
    (``"118342117.25"`` -> ``$118,342,117``, rounded half up; ``"963000.00"`` -> ``$963,000``),
    cents otherwise (``"1234.5"`` -> ``$1,234.50``)."""
    value = Decimal(text)
    if abs(value) >= 1_000_000 or value == value.to_integral_value():
        return f"${value.quantize(Decimal(1), ROUND_HALF_UP):,}"
    return f"${value:,.2f}"


def millions(text: str) -> str:
    """``"118342117.25"`` -> ``$118.3 million``; below a million, as ``dollars``."""
    value = Decimal(text)
    if abs(value) < 1_000_000:
        return dollars(text)
    return f"${(value / 1_000_000).quantize(Decimal('0.1'), ROUND_HALF_UP):,} million"


def bars(rows: Sequence[tuple[str, float | None, str]]) -> list[Bar]:
    """Bars for (label, value, value as printed), each in percent of the largest."""
    top = max((value for _, value, _ in rows if value is not None), default=0)
    return [
        Bar(name, None if value is None else (100 * value / top if top else 0.0), shown)
        for name, value, shown in rows
    ]


def count_ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 past ``top``, at most about six of them: 1, 2 or 5 times a
    power of ten apart (a count has no tick at 0.2)."""
    rough = max(top, 1) / 5
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return list(range(0, max(top, 1) + step, step))


def months_svg(
    slug: str,
    description: str,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
) -> Markup:
    """Grouped vertical bars per month, drawn wide (values printed) and narrow (for phones, no
    printed values: about 15 px a bar has no room for them); CSS shows one."""
    top = max((v for _, values in series for v in values if v is not None), default=0)
    ticks = count_ticks(top)

    def draw(width: int, narrow: bool) -> Markup:
        chart = pygal.Bar(
            style=_STYLE,
            js=[],
            disable_xml_declaration=True,
            print_values=not narrow,
            print_zeroes=True,
            print_values_position="top",
            value_formatter=lambda v: f"{v:,.0f}",
            show_legend=True,
            legend_at_bottom=True,
            width=width,
            height=360,
            margin=12,
            truncate_label=-1,
            x_label_rotation=-45,
            y_title="Concerns",
            y_labels=ticks,
            range=(0, ticks[-1]),
        )
        chart.x_labels = list(months)
        for name, values in series:
            chart.add(name, list(values))
        return svg_of(chart, f"{slug}-narrow" if narrow else slug, description)

    return Markup(  # noqa: S704 - serialized by xml.etree, which escapes
        f'<div class="wide">{draw(720, False)}</div><div class="narrow">{draw(360, True)}</div>'
    )


def _no_script(root: ET.Element) -> ET.Element:
    """pygal's tooltips are script: its script and its tooltip layers (hidden by a style
    attribute, which the report's CSP does not allow) and its comments go."""
    for parent in list(root.iter()):
        for child in list(parent):
            classes = child.get("class", "").split()
            if child.tag in ("script", ET.Comment) or {"tooltip", "tooltip-overlay"} & set(classes):
                parent.remove(child)
    return root


def svg_of(chart: Any, slug: str, description: str) -> Markup:
    """The chart's SVG as an image with a text alternative and a stable id; every attribute
    set on the tree, so that ``description`` (which may quote a name) is escaped."""

    def describe(root: ET.Element) -> ET.Element:
        _no_script(root)
        root.set("role", "img")
        root.set("aria-label", f"{description} The table below gives the figures.")
        return root

    chart.xml_filters = [describe]
    svg: str = chart.render(is_unicode=True)
    # Stable ids (pygal draws a random one): the same figures give the same page, byte for byte.
    svg = re.sub(r"chart-[0-9a-f]{8}-[0-9a-f-]{27}", f"chart-{slug}", svg)
    svg = svg.replace('id="activate-serie-', f'id="{slug}-serie-')  # unique on the page
    return Markup(svg)  # noqa: S704 - serialized by xml.etree, which escapes
