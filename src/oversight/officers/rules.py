"""A department's roster file, read and checked line by line: what each row says, or every bad
row named by its line. No database (departments are checked by ``officers.roster``).

Columns ``department,badge,first_name,last_name,rank,unit,status,hired_on,separated_on``; the
department is its code, a date is ``YYYY-MM-DD`` and never in the future, and an officer who
separated has a ``separated_on`` no earlier than their ``hired_on``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oversight.core.csvfile import BadFile, rows, shown
from oversight.officers.enums import OfficerStatus

COLUMNS = (
    "department",
    "badge",
    "first_name",
    "last_name",
    "rank",
    "unit",
    "status",
    "hired_on",
    "separated_on",
)
#: The longest value each text column holds.
LENGTHS = {
    "department": 32,
    "badge": 32,
    "first_name": 100,
    "last_name": 100,
    "rank": 60,
    "unit": 100,
}


@dataclass(frozen=True)
class RosterRow:
    """One officer as the file says; ``line`` is where it was read, for the messages."""

    department: str
    badge: str
    first_name: str
    last_name: str
    rank: str
    unit: str
    status: OfficerStatus
    hired_on: date | None
    separated_on: date | None
    line: int


def dates_problems(
    status: OfficerStatus, hired_on: date | None, separated_on: date | None, today: date
) -> list[tuple[str, str]]:
    """What is wrong with an officer's dates, as ``(field, problem)``: a date in the future,
    a separation before the hiring, a separated officer without the day they left."""
    found = [
        (name, f"{name} {value} is in the future")
        for name, value in (("hired_on", hired_on), ("separated_on", separated_on))
        if value is not None and value > today
    ]
    if hired_on and separated_on and separated_on < hired_on:
        found.append(("separated_on", "separated_on is before hired_on"))
    if status == OfficerStatus.SEPARATED and separated_on is None:
        found.append(("separated_on", "a separated officer needs separated_on"))
    return found


def _date(row: dict[str, str], name: str, found: list[str]) -> date | None:
    if not row[name]:
        return None
    try:
        if len(row[name]) != 10:  # fromisoformat also takes 20261205 and 2026-W49
            raise ValueError(row[name])
        return date.fromisoformat(row[name])
    except ValueError:
        found.append(f"{name} {shown(row[name])} is not a date (YYYY-MM-DD)")
        return None


def _row(number: int, row: dict[str, str], today: date) -> tuple[RosterRow | None, list[str]]:
    found: list[str] = []
    for name, longest in LENGTHS.items():
        if not row[name] and name not in ("rank", "unit"):
            found.append(f"{name} is empty")
        elif len(row[name]) > longest:
            found.append(f"{name} is longer than {longest} characters")
    try:
        status = OfficerStatus(row["status"].lower() or OfficerStatus.ACTIVE)
    except ValueError:
        allowed = ", ".join(OfficerStatus)
        found.append(f"status {shown(row['status'])} is not one of {allowed}")
        status = OfficerStatus.ACTIVE
    hired = _date(row, "hired_on", found)
    separated = _date(row, "separated_on", found)
    if not found:
        found += [problem for _, problem in dates_problems(status, hired, separated, today)]
    if found:
        return None, found
    texts = {name: row[name] for name in LENGTHS}
    officer = RosterRow(**texts, status=status, hired_on=hired, separated_on=separated, line=number)
    return officer, []


def roster_rows(text: str, today: date) -> list[RosterRow]:
    """Every row of a roster file, or ``BadFile`` naming every bad line (a badge listed twice
    for one department names both lines)."""
    read: list[RosterRow] = []
    problems: list[str] = []
    first_line: dict[tuple[str, str], int] = {}
    for number, row in rows(text, COLUMNS):
        officer, found = _row(number, row, today)
        key = (row["department"], row["badge"])
        if key in first_line:
            found.append(
                f"badge {shown(row['badge'])} of {key[0]} is also on line {first_line[key]}"
            )
        first_line.setdefault(key, number)
        if found:
            problems.append(f"line {number}: {'; '.join(found)}")
        elif officer is not None:
            read.append(officer)
    if problems:
        raise BadFile(problems)
    if not read:
        raise BadFile(["the file has a header and no officers"])
    return read
