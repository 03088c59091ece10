"""Report periods: whole months, never finer.

Every public report and export covers whole calendar months (UTC): a day window would let two
reports a day apart be subtracted to reveal one day's cells. A period is at most
``MAX_MONTHS`` long and never ends after the current month. ``from`` and ``to`` are written
``YYYY-MM``; a full date ``YYYY-MM-DD`` is accepted and widened to its month.

The default period is the last twelve *complete* months: the month in progress is left out
unless asked for, because its few days' small counts would otherwise be suppressed and force a
complete month to be hidden as their complement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
_WRITTEN = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")


class PeriodError(ValueError):
    """A period that is not allowed; ``field`` names the bound at fault (``from`` or ``to``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str, field: str) -> Month:
        """``YYYY-MM``, or a date ``YYYY-MM-DD`` widened to its month."""
        found = _WRITTEN.fullmatch(text.strip())
        try:
            if found is None:
                raise ValueError
            year, month, day = found.groups()
            date(int(year), int(month), int(day or 1))  # a real date, or ValueError
        except ValueError:
            raise PeriodError(field, f"`{field}` must be a month, YYYY-MM.") from None
        if int(year) < 1:
            raise PeriodError(field, f"`{field}` must be a month, YYYY-MM.")
        return cls(int(year), int(month))

    @property
    def index(self) -> int:
        """Months since the start of year 0: consecutive months differ by one."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def plus(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    """From the first day of ``first`` to the last day of ``last``, both months included."""

    first: Month
    last: Month

    @classmethod
    def default(cls, today: date) -> Period:
        """The last twelve complete months: the month in progress is left out."""
        last = Month.of(today).plus(-1)
        return cls(last.plus(1 - DEFAULT_MONTHS), last)

    @classmethod
    def resolve(cls, start: str | None, end: str | None, today: date) -> Period:
        """The period asked for, checked: whole months, ``from`` <= ``to``, at most
        ``MAX_MONTHS``, not past the current month. A bound left out defaults to the last
        complete month (``to``; the current one when ``from`` is the current month, the only
        month that period can end in) or to twelve months up to ``to`` (``from``)."""
        current = Month.of(today)
        first = None if start is None else Month.parse(start, "from")
        if end is not None:
            last = Month.parse(end, "to")
        elif first is not None and first >= current:
            last = current
        else:
            last = current.plus(-1)
        if first is None:
            first = last.plus(1 - DEFAULT_MONTHS)
        if last > current:
            raise PeriodError("to", f"`to` must not be after the current month ({current}).")
        if first > last:
            raise PeriodError("from", "`from` must not be after `to`.")
        if last.index - first.index >= MAX_MONTHS:
            raise PeriodError("from", f"A period is at most {MAX_MONTHS} months.")
        if first.year < 1:
            raise PeriodError("from", "`from` must be a month, YYYY-MM.")
        return cls(first, last)

    @property
    def months(self) -> Iterator[Month]:
        for index in range(self.first.index, self.last.index + 1):
            yield Month.from_index(index)

    @property
    def lower(self) -> datetime:
        """The first instant of the period (UTC)."""
        return datetime.combine(self.first.first_day, time.min, tzinfo=UTC)

    @property
    def upper(self) -> datetime:
        """The first instant after the period (UTC)."""
        return datetime.combine(self.last.plus(1).first_day, time.min, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.first}/{self.last}"
