"""The police budget and operational figures: money as integer cents, amounts as a city
finance office writes them (`$1,234.56`), shares to one decimal, and the two CSV files read
line by line with every bad row named. No database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum


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
#: The largest file `oversight budget import` and `operations import` read.
MAX_FILE_BYTES = 10 * 1024 * 1024
_AMOUNT = re.compile(r"^\$?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


class BadAmount(ValueError):
    pass


def cents(text: str) -> int:
    """``"$1,234.56"``, ``"1234.5"`` or ``"1234"`` as cents; negative, malformed, more than two
    decimals or over a trillion: ``BadAmount``."""
    value = text.strip()
    if value.startswith("-") or value.startswith("$-"):
        raise BadAmount(f"{text!r} is negative")
    if not _AMOUNT.match(value):
        raise BadAmount(f"{text!r} is not an amount (like 1234.56 or $1,234.56)")
    try:
        amount = Decimal(value.lstrip("$").replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise BadAmount(f"{text!r} is not an amount") from exc
    result = int(amount * 100)
    if result > MAX_CENTS:
        raise BadAmount(f"{text!r} is more than a trillion")
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


class BadFile(ValueError):
    """What is wrong with a file, every bad row named by its line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


BUDGET_COLUMNS = ("program", "category", "adopted", "revised", "actual")
OPERATIONS_COLUMNS = ("month", "neighborhood", "priority", "calls", "median_response_minutes")


def _rows(
    text: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if header[: len(required)] != list(required) or not set(header) <= {*required, *optional}:
        wanted = ",".join([*required, *(f"[{name}]" for name in optional)])
        raise BadFile([f"line 1: the header must be {wanted}, not {','.join(header) or 'empty'}"])
    reader.fieldnames = header
    for row in reader:
        if None in row:  # more fields than the header (an unquoted comma in an amount?)
            count = len(header) + len(row[None])
            raise BadFile([f"line {reader.line_num}: {count} fields, the header has {len(header)}"])
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def budget_lines(text: str) -> list[LineIn]:
    """A finance office's CSV, ``program,category,adopted,revised,actual[,department]``: every
    row, or ``BadFile`` naming every bad one."""
    lines: list[LineIn] = []
    problems: list[str] = []
    for number, row in _rows(text, BUDGET_COLUMNS, ("department",)):
        found: list[str] = []
        program = row["program"]
        if not program or len(program) > 200:
            found.append("program must be 1 to 200 characters")
        try:
            category = BudgetCategory(row["category"].lower())
        except ValueError:
            found.append(f"unknown category {row['category']!r}")
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
            LineIn(program, category, adopted, values["revised"], values["actual"], department)
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


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def operations(text: str) -> list[OperationsIn]:
    """``month,neighborhood,priority,calls,median_response_minutes``: every row, or
    ``BadFile`` naming every bad one."""
    rows: list[OperationsIn] = []
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for number, row in _rows(text, OPERATIONS_COLUMNS):
        found: list[str] = []
        if not _MONTH.match(row["month"]):
            found.append(f"month {row['month']!r} is not YYYY-MM")
        if not row["neighborhood"] or len(row["neighborhood"]) > 100:
            found.append("neighborhood must be 1 to 100 characters")
        try:
            priority = CallPriority(row["priority"])
        except ValueError:
            found.append(f"priority {row['priority']!r} is not 1, 2, 3 or 4")
            priority = CallPriority.P4
        calls = row["calls"]
        if not calls.isdigit() or int(calls) > 10_000_000:
            found.append(f"calls {calls!r} is not a count")
        minutes: Decimal | None = None
        if row["median_response_minutes"]:
            try:
                minutes = Decimal(row["median_response_minutes"])
                if not Decimal(0) <= minutes < Decimal(100_000) or minutes != minutes.quantize(
                    Decimal("0.1")
                ):
                    raise InvalidOperation
            except InvalidOperation:
                found.append(
                    f"median_response_minutes {row['median_response_minutes']!r} is not minutes "
                    "(0 or more, one decimal)"
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
