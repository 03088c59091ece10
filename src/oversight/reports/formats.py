"""The summary as `section,dimension,value` CSV rows; a hidden cell reads `suppressed`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

SUPPRESSED = "suppressed"


def _value(value: Any) -> str:
    return SUPPRESSED if value is None else str(value)


def summary_rows(summary: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    period = summary["period"]
    yield "period", "from", str(period["from"])
    yield "period", "to", str(period["to"])
    yield "report", "suppression_threshold", str(summary["suppression_threshold"])
    yield "report", "audit_head_seq", str(summary["audit_head"]["seq"])
    yield "report", "audit_head_hash", summary["audit_head"]["hash"]
    for section in ("concerns", "timeliness", "commission"):
        yield from _flatten(section, summary[section])


def _flatten(section: str, figures: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    for name, value in figures.items():
        if isinstance(value, dict):
            if "by_status" in value:  # recommendations: {total, by_status}
                yield section, f"{name}.total", _value(value["total"])
                value = value["by_status"]
                name = f"{name}.by_status"
            for key, cell in value.items():
                yield f"{section}.{name}", key, _value(cell)
        elif isinstance(value, list):  # by_month
            for row in value:
                yield f"{section}.{name}.received", row["month"], _value(row["received"])
                yield f"{section}.{name}.closed", row["month"], _value(row["closed"])
        else:
            yield section, name, _value(value)


def to_csv(rows: Iterator[tuple[str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "dimension", "value"))
    writer.writerows(rows)
    return buffer.getvalue()
