"""The public record on the site: the transparency report's main figures, the recommendations'
scorecard, the police budget by year, and the open data downloads. Public pages, cached like
`/public/` answers; the full report, CSVs and JSON stay the API's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from oversight.budget import service as budget
from oversight.core.engines import Reads
from oversight.core.http.deps import DatabaseDep, SettingsDep
from oversight.core.http.periods import resolve_period
from oversight.reports import summary
from oversight.reports.schemas import PublicSummary
from oversight.resolutions import recommendations
from oversight.site.rendering import public_page

router = APIRouter(include_in_schema=False, tags=["site"])


@router.get("/report", name="site_report")
async def report(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """The last twelve complete months: concerns, timeliness, the commission's work and
    residents' participation, small counts suppressed as in every public figure."""

    async def build() -> dict[str, Any]:
        period = resolve_period(None, None)
        async with database.unit_of_work(Reads.SNAPSHOT) as session:
            computed = await summary.compute(session, period, settings.suppression_threshold)
        return {"figures": PublicSummary.model_validate(computed), "period": period}

    return await public_page(request, database, settings, "report.html.j2", build)


@router.get("/recommendations", name="site_recommendations")
async def scorecard(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """How the departments answered the commission's recommendations, all time."""

    async def build() -> dict[str, Any]:
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            return {"scorecard": await recommendations.scorecard(session)}

    return await public_page(request, database, settings, "recommendations.html.j2", build)


@router.get("/budget", name="site_budget")
async def budget_years(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """The police budget, year by year, and its share of the city's; the department's
    operations (calls for service, median response minutes) in the last twelve months."""

    async def build() -> dict[str, Any]:
        period = resolve_period(None, None)
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            return {
                "years": await budget.years(session),
                "operations": await budget.operations_view(session, period),
                "period": period,
            }

    return await public_page(request, database, settings, "budget.html.j2", build)


@router.get("/data", name="site_data")
async def data(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """The open data: what each download holds, and where it is."""

    async def build() -> dict[str, Any]:
        return {}

    return await public_page(request, database, settings, "data.html.j2", build)
