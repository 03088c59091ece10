"""The police budget and operational figures: money as integer cents, amounts as a city
finance office writes them (`$1,234.56`), shares to one decimal, and the two CSV files read
line by line with every bad row named. No database.

Numbers are ASCII digits only: Python reads other decimal digits (`int("٣")`, `Decimal("٣")`,
a pattern's digit class without `re.ASCII`) as numbers, and a figure typed in another script
is a mistake to show, not a value to import."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from oversight.core import csvfile
from oversight.core.csvfile import BadFile, shown


class BudgetCategory(StrEnum):
    PERSONNEL = "personnel"
    OVERTIME = "overtime"
    EQUIPMENT = "equipment"
    FACILITIES = "facilities"
    CONTRACTS = "contracts"
    TRAINING = "training"
    TECHNOLOGY = "technology"
    OTHER = "other"


class CallPriority(StrEnum):
    """Dispatch priorities of calls for service, most urgent first."""

    P1 = "1"
    P2 = "2"
    P3 = "3"
    P4 = "4"


#: The largest amount accepted: a trillion, in cents (a bigint holds far more).
MAX_CENTS = 100_000_000_000_000
_AMOUNT = re.compile(r"^\$?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$", re.ASCII)


class BadAmount(ValueError):
    pass


def cents(text: str) -> int:
    """``"$1,234.56"``, ``"1234.5"`` or ``"1234"`` as cents; negative, malformed, more than two
    decimals or over a trillion: ``BadAmount``."""
    value = text.strip()
    if value.startswith("-") or value.startswith("$-"):
        raise BadAmount(f"{shown(text)} is negative")
    if not _AMOUNT.match(value):
        raise BadAmount(f"{shown(text)} is not an amount (like 1234.56 or $1,234.56)")
    try:
        amount = Decimal(value.lstrip("$").replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise BadAmount(f"{shown(text)} is not an amount") from exc
    result = int(amount * 100)
    if result > MAX_CENTS:
        raise BadAmount(f"{shown(text)} is more than a trillion")
    return result


def amount(value: int | None) -> str | None:
    """Cents as the decimal string JSON carries: ``123456`` -> ``"1234.56"``."""
    if value is None:
        return None
    return f"{value // 100}.{value % 100:02d}"


def share_pct(part: int, whole: int) -> str | None:
    """``part`` of ``whole`` in percent, one decimal, rounded half up, as a string; None when
    there is no whole."""
    if whole <= 0:
        return None
    pct = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(pct)


def share_per(part: int, whole: int, per: int) -> str:
    """``part`` per ``per`` of ``whole``, one decimal, rounded half up."""
    value = (Decimal(part) * per / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(value)


def change_pct(now: int, before: int | None) -> str | None:
    if not before:
        return None
    pct = (Decimal(now - before) * 100 / Decimal(before)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return str(pct)


@dataclass(frozen=True)
class LineIn:
    program: str
    category: BudgetCategory
    adopted: int
    revised: int | None
    actual: int | None
    department: str | None
    #: The CSV line it was read from (a quoted field may span lines), for the messages.
    number: int | None = None


BUDGET_COLUMNS = ("program", "category", "adopted", "revised", "actual")
OPERATIONS_COLUMNS = ("month", "neighborhood", "priority", "calls", "median_response_minutes")


def budget_lines(text: str) -> list[LineIn]:
    """A finance office's CSV, ``program,category,adopted,revised,actual[,department]``: every
    row, or ``BadFile`` naming every bad one."""
    lines: list[LineIn] = []
    problems: list[str] = []
    for number, row in csvfile.rows(text, BUDGET_COLUMNS, ("department",)):
        found: list[str] = []
        program = row["program"]
        if not program or len(program) > 200:
            found.append("program must be 1 to 200 characters")
        try:
            category = BudgetCategory(row["category"].lower())
        except ValueError:
            found.append(f"unknown category {shown(row['category'])}")
            category = BudgetCategory.OTHER
        values: dict[str, int | None] = {}
        for name in ("adopted", "revised", "actual"):
            if not row[name] and name != "adopted":
                values[name] = None
                continue
            try:
                values[name] = cents(row[name])
            except BadAmount as exc:
                found.append(f"{name}: {exc}")
        adopted = values.get("adopted")
        if found or adopted is None:
            problems.append(f"line {number}: {'; '.join(found)}")
            continue
        department = row.get("department") or None
        lines.append(
            LineIn(
                program,
                category,
                adopted,
                values["revised"],
                values["actual"],
                department,
                number,
            )
        )
    if problems:
        raise BadFile(problems)
    if not lines:
        raise BadFile(["the file has no budget lines"])
    return lines


@dataclass(frozen=True)
class OperationsIn:
    month: str
    neighborhood: str
    priority: CallPriority
    calls: int
    median_response_minutes: Decimal | None


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$", re.ASCII)
_COUNT = re.compile(r"^\d{1,9}$", re.ASCII)
_MINUTES = re.compile(r"^\d{1,15}(\.\d+)?$", re.ASCII)
#: Medians are stored to a tenth of a minute (the column is NUMERIC(7, 1)); a dispatch export's
#: 7.25 or 7.2583 is rounded half-even (7.2, 7.3), so ties do not all drift upward.
MINUTES_STEP = Decimal("0.1")
MAX_MINUTES = Decimal("99999.9")


def median_minutes(text: str) -> Decimal | None:
    """A median response time in minutes: any non-negative decimal in ASCII digits (no
    exponent, no sign), rounded half-even to a tenth; ``None`` when refused."""
    if not _MINUTES.match(text):
        return None
    minutes = Decimal(text).quantize(MINUTES_STEP, rounding=ROUND_HALF_EVEN)
    return minutes if minutes <= MAX_MINUTES else None


def operations(text: str) -> list[OperationsIn]:
    """``month,neighborhood,priority,calls,median_response_minutes``: every row, or
    ``BadFile`` naming every bad one."""
    rows: list[OperationsIn] = []
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for number, row in csvfile.rows(text, OPERATIONS_COLUMNS):
        found: list[str] = []
        if not _MONTH.match(row["month"]):
            found.append(f"month {shown(row['month'])} is not YYYY-MM")
        if not row["neighborhood"] or len(row["neighborhood"]) > 100:
            found.append("neighborhood must be 1 to 100 characters")
        try:
            priority = CallPriority(row["priority"])
        except ValueError:
            found.append(f"priority {shown(row['priority'])} is not 1, 2, 3 or 4")
            priority = CallPriority.P4
        calls = row["calls"]
        if not _COUNT.match(calls) or int(calls) > 10_000_000:
            found.append(f"calls {shown(calls)} is not a count (0 to 10000000, digits 0-9)")
        minutes: Decimal | None = None
        if row["median_response_minutes"]:
            minutes = median_minutes(row["median_response_minutes"])
            if minutes is None:
                found.append(
                    f"median_response_minutes {shown(row['median_response_minutes'])} is not "
                    "minutes (0 to 99999.9, digits 0-9, any decimals: rounded half-even to a "
                    "tenth)"
                )
        key = (row["month"], row["neighborhood"], row["priority"])
        if key in seen:
            found.append("the same month, neighborhood and priority as an earlier line")
        seen.add(key)
        if found:
            problems.append(f"line {number}: {'; '.join(found)}")
            continue
        rows.append(OperationsIn(row["month"], row["neighborhood"], priority, int(calls), minutes))
    if problems:
        raise BadFile(problems)
    if not rows:
        raise BadFile(["the file has no rows"])
    return rows
