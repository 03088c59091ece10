"""The HTML report as Chromium lays it out: every chart inside its box on a phone (320 and
390 px), a small tablet or a laptop at 200% zoom (640 px), and a desktop; no text of a chart
cut off or drawn over another; nothing blocked by the page's own policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.periods import Month
from oversight.core.roles import Role
from tests.helpers import Api, concern_body, run_cli

pytestmark = pytest.mark.browser

#: (CSS width, device scale): phones, 640 px (and a 1280 px screen at 200% zoom), a desktop.
VIEWS = [(320, 1), (390, 1), (640, 1), (640, 2), (1280, 1)]

#: Names as long as people type them, which a chart must wrap, not clip.
LONG_CATEGORY = "Failure to provide language access or interpretation during a stop"
LONG_PLACE = "Monument Corridor and the blocks north of Clayton Road"

#: In the page: for each drawn figure, what sticks out of it, and which value labels overlap.
MEASURE = """() => {
  const problems = [];
  const page = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > page) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${page}`);
  }
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? r : null;
  };
  const inside = (r, box) =>
    r.left >= box.left - 0.5 && r.right <= box.right + 0.5 &&
    r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
  const overlap = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  let figures = 0;
  for (const figure of document.querySelectorAll("figure")) {
    const box = shown(figure);
    if (!box) continue;
    figures += 1;
    const name = figure.closest("section").querySelector("h2").textContent;
    if (box.right > page + 0.5) problems.push(`${name}: figure ends at ${box.right} > ${page}`);
    const values = [];
    for (const svg of figure.querySelectorAll("svg.pygal-chart")) {
      const drawn = shown(svg);
      if (!drawn) continue;
      if (!inside(drawn, box)) problems.push(`${name}: its drawing is wider than its box`);
      for (const text of svg.querySelectorAll("text")) {
        const r = shown(text);
        if (!r) continue;
        if (!inside(r, drawn)) problems.push(`${name}: "${text.textContent}" is cut off`);
        if (text.classList.contains("value")) values.push([text.textContent, r]);
      }
    }
    for (const el of figure.querySelectorAll(".bar-name, .bar-value, .bar-track, .note")) {
      const r = shown(el);
      if (r && !inside(r, box)) problems.push(`${name}: "${el.textContent}" sticks out`);
      if (r && !el.classList.contains("bar-track")) values.push([el.textContent, r]);
    }
    for (let i = 0; i < values.length; i++) {
      for (let j = i + 1; j < values.length; j++) {
        if (overlap(values[i][1], values[j][1])) {
          problems.push(`${name}: "${values[i][0]}" and "${values[j][0]}" overlap`);
        }
      }
    }
  }
  return {figures, problems};
}"""


async def report(api: Api, settings: Settings, out: Path) -> str:
    """The demo city's report, with names as long as people write them, up to this month
    (the month in progress and its marks included)."""
    result = run_cli(settings, "seed-demo", "--concerns", "150")
    assert result.returncode == 0, result.stderr
    admin = await api.person(Role.ADMIN)
    body = {"code": "language_access", "label": LONG_CATEGORY}
    assert (
        await api.client.post("/api/v1/categories", json=body, headers=admin.headers)
    ).status_code == 201
    for _ in range(5):  # the suppression threshold: both names are printed
        created = await api.client.post(
            "/api/v1/concerns",
            json=concern_body(category="language_access", location={"neighborhood": LONG_PLACE}),
        )
        assert created.status_code == 201, created.text
    month = str(Month.of(utcnow().date()))
    result = run_cli(settings, "report", "--format", "html", "--to", month, "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = read(out)
    assert LONG_CATEGORY in text and LONG_PLACE in text
    return text


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def test_every_chart_fits_its_box_at_every_width(
    api: Api, settings: Settings, tmp_path: Path, browser: Any
) -> None:
    out = tmp_path / "report.html"
    await report(api, settings, out)
    console: list[Any] = []

    def keep(message: Any) -> None:  # Playwright marks its handlers: a function, not a builtin
        console.append(message)

    for width, scale in VIEWS:
        page = await browser.new_page(
            viewport={"width": width, "height": 900}, device_scale_factor=scale
        )
        page.on("console", keep)
        await page.goto(out.as_uri())
        found = await page.evaluate(MEASURE)
        assert found["figures"] >= 8, (width, found)
        assert found["problems"] == [], (width, scale, found["problems"])
        # The page's own policy blocks nothing of its own (its styles are allowed by hash).
        blocked = [m.text for m in console if "Content Security Policy" in m.text]
        assert blocked == [], (width, scale, blocked)
        await page.close()
