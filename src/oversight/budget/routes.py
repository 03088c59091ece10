"""The police budget and operational figures: admins import, everyone reads."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from oversight.accounts.deps import CurrentActor
from oversight.budget import service as budget
from oversight.budget.schemas import (
    BudgetComments,
    BudgetYearIn,
    FiscalYearDetail,
    FiscalYears,
    OperationsOut,
)
from oversight.core.http.deps import (
    SessionDep,
)
from oversight.core.http.documentation import documented
from oversight.core.http.periods import FromMonth, ToMonth, resolve_period
from oversight.core.http.responses import json_response, tagged
from oversight.reports import formats
from oversight.reports.schemas import ReportFormat

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


@router.patch("/{year}", name="set_comment_period", response_model=FiscalYearDetail)
async def set_comment_period(
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
    "/budget/{year}.csv",
    name="budget_year_csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per line."}},
)
@documented(download=True)
async def budget_year_csv(year: Year, session: SessionDep) -> Response:
    """A year's police budget lines as CSV: `program,category,adopted,revised,actual`."""
    view = await budget.year_view(session, year)
    columns = ("program", "category", "adopted", "revised", "actual")
    body = formats.document(columns, ([line[c] for c in columns] for line in view["lines"]))
    disposition = f'attachment; filename="oversight-police-budget-{year}.csv"'
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )


@public.get(
    "/budget/{year}",
    name="budget_year",
    response_model=FiscalYearDetail,
    responses={303: {"description": "See Other."}},
)
@documented(redirects=True)
async def budget_year(
    year: Year,
    request: Request,
    session: SessionDep,
    format: Annotated[
        ReportFormat | None,
        Query(
            deprecated=True,
            description="For links made before `{year}.csv`: `csv` is a 303 to that URL.",
        ),
    ] = None,
) -> Response:
    """A year's police budget: totals of the adopted amounts (the budget as voted), by
    category, each line with its revised and actual amounts, the change from the year before.
    The lines as CSV: `{year}.csv`."""
    if format == ReportFormat.CSV:
        target = f"{request.url.path}.csv"
        return Response(status_code=status.HTTP_303_SEE_OTHER, headers={"Location": target})
    return json_response(await budget.year_view(session, year))


@public.get("/operations", name="operations", response_model=OperationsOut)
async def operations(session: SessionDep, start: FromMonth = None, end: ToMonth = None) -> Response:
    """Calls for service and median response minutes by month, priority and neighborhood,
    over whole months (default: the last twelve complete months)."""
    return json_response(await budget.operations_view(session, resolve_period(start, end)))
