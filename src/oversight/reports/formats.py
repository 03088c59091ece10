"""CSV, the one way out for every CSV the service writes, and the summary as CSV rows.

Spreadsheets run a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula, and residents type some of the text that reaches a CSV (neighborhoods). Every
text cell goes through ``cell``, which writes such a value with a leading ``'`` (OWASP's
CSV-injection rule); numbers are written as numbers, never prefixed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

SUPPRESSED = "suppressed"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: What one CSV cell may be: text, a number, or nothing (an empty cell).
Cell = str | int | float | None


def cell(value: Cell) -> str | int | float:
    """The value as it is safe to write: numbers as they are, risky text behind a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python, not a number to a reader
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def line(values: Iterable[Cell]) -> str:
    """One CSV record, ``\\n``-terminated, every cell through ``cell``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([cell(v) for v in values])
    return buffer.getvalue()


def document(header: Iterable[str], rows: Iterable[Iterable[Cell]]) -> str:
    """A whole CSV document: the header, then the rows."""
    return "".join([line(header), *(line(row) for row in rows)])


def _value(value: Any) -> Cell:
    return SUPPRESSED if value is None else value


#: Sections that are public record: never suppressed, so a null there is "none" (an empty
#: cell: a rate over no recommendations), not "suppressed".
EXACT = ("commission", "participation")


def summary_rows(summary: dict[str, Any]) -> Iterator[tuple[str, str, Cell]]:
    """The summary as ``section,dimension,value`` rows; a hidden cell reads ``suppressed``."""
    period = summary["period"]
    yield "period", "from", period["from"]
    yield "period", "to", period["to"]
    yield "report", "suppression_threshold", summary["suppression_threshold"]
    yield "report", "audit_head_seq", summary["audit_head"]["seq"]
    yield "report", "audit_head_hash", summary["audit_head"]["hash"]
    signed = summary["checkpoint"] or {}
    yield "report", "checkpoint_tree_size", signed.get("tree_size")
    yield "report", "checkpoint_root_hash", signed.get("root_hash")
    for section in ("concerns", "timeliness", "commission", "participation"):
        for row in _flatten(section, summary[section]):
            yield (*row[:2], None) if section in EXACT and row[2] == SUPPRESSED else row
    for line in summary["discipline"]:
        department = line["department"]["code"] if line["department"] else "not_referred"
        where = f"discipline.{department}.{line['year']}"
        for name in DISCIPLINE_FIGURES:
            yield where, name, _value(line[name])


#: A department-year's discipline figures, in the order the CSV and the report give them.
DISCIPLINE_FIGURES = (
    "sustained",
    "recommended",
    "concurred",
    "departed_lower",
    "departed_higher",
    "pending",
    "concurrence_rate_pct",
)


def _flatten(section: str, figures: dict[str, Any]) -> Iterator[tuple[str, str, Cell]]:
    for name, value in figures.items():
        if isinstance(value, dict):
            if "by_status" in value:  # recommendations, proposals: {total, by_status}
                yield section, f"{name}.total", _value(value["total"])
                value = value["by_status"]
                name = f"{name}.by_status"
            for key, figure in value.items():
                yield f"{section}.{name}", key, _value(figure)
        elif isinstance(value, list):  # by_month
            for row in value:
                yield f"{section}.{name}.received", row["month"], _value(row["received"])
                yield f"{section}.{name}.closed", row["month"], _value(row["closed"])
        else:
            yield section, name, _value(value)


def summary_csv(summary: dict[str, Any]) -> str:
    return document(("section", "dimension", "value"), summary_rows(summary))
