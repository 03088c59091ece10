"""The police budget and operational figures: admins import, everyone reads."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path, Response

from oversight.api.deps import CurrentActor, SessionDep
from oversight.api.responses import json_response, tagged
from oversight.reports import formats
from oversight.schemas.budget import (
    BudgetComments,
    BudgetYearIn,
    FiscalYearDetail,
    FiscalYears,
)
from oversight.schemas.reports import ReportFormat
from oversight.services import budget

router = APIRouter(prefix="/budget", tags=["budget"])
public = APIRouter(prefix="/public", tags=["public"])

Year = Annotated[int, Path(ge=1900, le=2200)]


@router.put("/{year}", name="put_year", response_model=FiscalYearDetail)
async def put_year(
    year: Year, body: BudgetYearIn, session: SessionDep, actor: CurrentActor
) -> Response:
    """Replace a fiscal year's police lines (admins): all or nothing, one audited event that
    records the SHA-256 of the request's canonical JSON. `oversight budget import` does the
    same from a finance office's CSV."""
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    lines = await budget.lines_of(session, body.lines)
    meta = budget.YearIn(year, body.label, body.starts_on, body.ends_on, body.city_total)
    view = await budget.import_year(session, actor, meta, lines, digest)
    return tagged(view, view["version"])


@router.patch("/{year}", name="set_comments", response_model=FiscalYearDetail)
async def set_comments(
    year: Year, body: BudgetComments, session: SessionDep, actor: CurrentActor
) -> Response:
    """Open (or close) the year's budget lines to residents' comments (admins)."""
    view = await budget.set_comments(session, actor, year, body.comment_open)
    return tagged(view, view["version"])


@public.get("/budget", name="budget_years", response_model=FiscalYears)
async def budget_years(session: SessionDep) -> Response:
    """Every fiscal year on record, newest first: the police total and its share of the
    city's."""
    return json_response({"items": await budget.years(session)})


@public.get(
    "/budget/{year}",
    name="budget_year",
    response_model=FiscalYearDetail,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON; CSV on request."}},
)
async def budget_year(
    year: Year, session: SessionDep, format: ReportFormat | None = None
) -> Response:
    """A year's police budget: totals of the adopted amounts (the budget as voted), by
    category, each line with its revised and actual amounts, the change from the year before.
    `?format=csv`: one row per line."""
    view = await budget.year_view(session, year)
    if format == ReportFormat.CSV:
        columns = ("program", "category", "adopted", "revised", "actual")
        body = formats.document(columns, ([line[c] for c in columns] for line in view["lines"]))
        disposition = f'attachment; filename="oversight-police-budget-{year}.csv"'
        return Response(
            body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
        )
    return json_response(view)
