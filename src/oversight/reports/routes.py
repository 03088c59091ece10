"""The public reports: the transparency summary (JSON, CSV, HTML) and the open data."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from oversight.audit import tree
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.engines import Reads
from oversight.core.http.caching import Cache, matches, public_tag, state_of
from oversight.core.http.deps import (
    CacheDep,
    DatabaseDep,
    SettingsDep,
)
from oversight.core.http.documentation import documented
from oversight.core.http.periods import FromMonth, ToMonth, resolve_period
from oversight.core.http.responses import download, in_chunks, json_response
from oversight.reports import discipline, formats, html, open_data, summary
from oversight.reports.schemas import PublicDiscipline, PublicSummary, ReportFormat

public = APIRouter(prefix="/public", tags=["public"])


SummaryFormat = Annotated[
    ReportFormat | None,
    Query(
        deprecated=True,
        description="For links made before `summary.csv` and `summary.html`: `csv` or `html` "
        "is a 303 to that file's URL (so is a browser's `Accept: text/csv` or `text/html`).",
    ),
]


@public.get(
    "/reports/summary",
    response_model=PublicSummary,
    responses={303: {"description": "See Other."}},
)
@documented(redirects=True)
async def report_summary(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    cache: CacheDep,
    start: FromMonth = None,
    end: ToMonth = None,
    format: SummaryFormat = None,
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The transparency summary over whole months (default: the last twelve complete months;
    at most 36 months, never past the current month), as JSON. The same figures as
    CSV rows are `summary.csv`; as the HTML report, `summary.html`."""
    resolve_period(start, end)  # a bad period is a 422 here, not after a redirect
    if format is None:
        wanted = accept or ""
        format = (
            ReportFormat.CSV
            if "text/csv" in wanted
            else ReportFormat.HTML
            if "text/html" in wanted
            else ReportFormat.JSON
        )
    if format != ReportFormat.JSON:
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "format"])
        target = f"{request.url.path}.{format.value}" + (f"?{query}" if query else "")
        return Response(status_code=status.HTTP_303_SEE_OTHER, headers={"Location": target})
    found = await _summary(request, settings, database, cache, start, end, if_none_match)
    if isinstance(found, Response):
        return found
    tag, _, body = found
    return Response(body, media_type="application/json", headers={"ETag": tag})


@public.get(
    "/reports/summary.csv",
    name="report_summary_csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "`section,dimension,value`."}},
)
@documented(download=True)
async def report_summary_csv(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    cache: CacheDep,
    start: FromMonth = None,
    end: ToMonth = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The transparency summary as `section,dimension,value` rows, a hidden cell reading
    `suppressed`."""
    found = await _summary(request, settings, database, cache, start, end, if_none_match)
    if isinstance(found, Response):
        return found
    tag, name, body = found
    figures = PublicSummary.model_validate_json(body)
    text = formats.summary_csv(figures.model_dump(mode="json", by_alias=True))
    headers = {"ETag": tag, **download(f"{name}.csv", inline=False)}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@public.get(
    "/reports/summary.html",
    name="report_summary_html",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "The HTML report."}},
)
@documented(download=True)
async def report_summary_html(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    cache: CacheDep,
    start: FromMonth = None,
    end: ToMonth = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The transparency summary as the page `oversight report --format html` writes."""
    found = await _summary(request, settings, database, cache, start, end, if_none_match)
    if isinstance(found, Response):
        return found
    tag, name, body = found
    page = html.render(PublicSummary.model_validate_json(body))
    # The page's own policy (its style elements by hash, as its meta tag says), and no framing,
    # which only a header can say.
    policy = f"{html.content_security_policy(page)}; frame-ancestors 'none'"
    headers = {"ETag": tag, "Content-Security-Policy": policy, **download(f"{name}.html")}
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


async def _summary(
    request: Request,
    settings: Settings,
    database: Database,
    cache: Cache,
    start: str | None,
    end: str | None,
    if_none_match: str | None,
) -> tuple[str, str, bytes] | Response:
    """The figures' tag, file name and JSON, or a 304 when ``if_none_match`` is current."""
    period = resolve_period(start, end)
    threshold = settings.suppression_threshold

    async def compute() -> bytes:
        async with database.unit_of_work(Reads.SNAPSHOT) as session:
            computed = await summary.compute(session, period, threshold)
        figures = PublicSummary.model_validate(computed)
        signed = figures.checkpoint.tree_size if figures.checkpoint else 0
        state = state_of(figures.audit_head.seq, signed)
        return f"{state}\n".encode() + figures.model_dump_json(by_alias=True).encode()

    # The figures are cached for up to a minute; the tag names the state they describe.
    # Keyed by the database answering: figures describe its state, and its failure is its own.
    key = f"summary:{database.answering()}:{period}:{threshold}"
    cached = await cache.get_or_compute(key, compute)
    state, _, body = cached.partition(b"\n")
    accept = request.headers.get("accept", "")
    tag = public_tag(state.decode(), request.url.path, request.url.query, accept)
    if matches(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return tag, f"oversight-summary-{period.first}-to-{period.last}", body


@public.get("/discipline", name="discipline", response_model=PublicDiscipline)
async def public_discipline(
    settings: SettingsDep, database: DatabaseDep, start: FromMonth = None, end: ToMonth = None
) -> Response:
    """Discipline by department and year: allegations with a sustained or policy-failure
    finding (counted in the year their concern was resolved), the commission's
    recommendations, and whether the department concurred, departed lower or higher, or has
    not decided; the concurrence rate. Counts about concerns are suppressed as in the summary."""
    period = resolve_period(start, end)
    threshold = settings.suppression_threshold
    async with database.unit_of_work(Reads.SNAPSHOT) as session:
        found = await discipline.rows(session, period, threshold)
    body = {
        "period": {"from": str(period.first), "to": str(period.last)},
        "suppression_threshold": threshold,
        "rows": found,
    }
    return json_response(body)


#: Names, on an export, the audit log's latest signed checkpoint when it began (an RFC 8941
#: dictionary: ``tree-size=N, root-hash=:<base64>:``); absent while none is signed.
CHECKPOINT_HEADER = "Oversight-Checkpoint"
NAMES_CHECKPOINT = {
    CHECKPOINT_HEADER: {
        "description": "The audit log's latest signed checkpoint when the export began, as "
        "`tree-size=N, root-hash=:<base64>:` (`/public/audit/checkpoint`); absent while none "
        "is signed.",
        "schema": {"type": "string"},
    }
}


async def checkpoint_named(database: Database) -> dict[str, str]:
    async with database.unit_of_work(Reads.STATEMENTS) as session:
        found = await tree.named(session)
    if found is None:
        return {}
    return {CHECKPOINT_HEADER: f"tree-size={found['tree_size']}, root-hash=:{found['root_hash']}:"}


@public.get(
    "/data/concerns.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": "De-identified records.",
            "headers": NAMES_CHECKPOINT,
        }
    },
)
@documented(download=True)
async def concerns_csv(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    start: FromMonth = None,
    end: ToMonth = None,
) -> StreamingResponse:
    """One de-identified row per concern received in the period (whole months, as the summary's).
    Small neighborhoods read `suppressed`; `record_id` is keyed on the period too, so exports of
    different periods cannot be joined."""
    period = resolve_period(start, end)
    key = settings.signing_key.encode()

    async def body() -> AsyncGenerator[str]:
        # Its own unit of work: the response streams after the route has returned.
        async with database.unit_of_work(Reads.SNAPSHOT) as session:
            async for line in open_data.lines(session, period, settings.suppression_threshold, key):
                yield line

    return StreamingResponse(
        in_chunks(body()),
        media_type="text/csv; charset=utf-8",
        headers={
            **download(f"oversight-concerns-{period.first}-to-{period.last}.csv", inline=False),
            **await checkpoint_named(database),
        },
    )


@public.get(
    "/data/allegations.csv",
    name="allegations_csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": "One row per allegation.",
            "headers": NAMES_CHECKPOINT,
        }
    },
)
@documented(download=True)
async def allegations_csv(
    settings: SettingsDep, database: DatabaseDep, start: FromMonth = None, end: ToMonth = None
) -> StreamingResponse:
    """One row per allegation of the concerns received in the period: its category, finding,
    the discipline recommended and imposed, the department; `concern_record_id` joins the
    concerns export of the same period. The officer's badge and name only on sustained rows,
    and only where the law makes officer records public (`PUBLIC_OFFICER_RECORDS=sustained`)."""
    period = resolve_period(start, end)
    key = settings.signing_key.encode()

    async def body() -> AsyncGenerator[str]:
        async with database.unit_of_work(Reads.SNAPSHOT) as session:
            found = open_data.allegation_lines(
                session, period, key, settings.public_officer_records
            )
            async for line in found:
                yield line

    return StreamingResponse(
        in_chunks(body()),
        media_type="text/csv; charset=utf-8",
        headers={
            **download(f"oversight-allegations-{period.first}-to-{period.last}.csv", inline=False),
            **await checkpoint_named(database),
        },
    )
