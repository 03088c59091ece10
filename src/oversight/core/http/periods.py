"""The public period every report and view takes: whole months, ``from`` and ``to``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from oversight.core.clock import utcnow
from oversight.core.errors import Unprocessable
from oversight.core.periods import Period, PeriodError

FromMonth = Annotated[
    str | None,
    Query(alias="from", max_length=10, description="First month of the period, YYYY-MM."),
]
ToMonth = Annotated[
    str | None,
    Query(alias="to", max_length=10, description="Last month, YYYY-MM; not past the current."),
]


def resolve_period(start: str | None, end: str | None) -> Period:
    """The period asked for, checked before anything is computed or streamed (422)."""
    try:
        return Period.resolve(start, end, utcnow().date())
    except PeriodError as exc:
        raise Unprocessable(exc.message, loc=("query", exc.field)) from None
