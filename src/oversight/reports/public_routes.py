from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse, StreamingResponse
from markupsafe import escape

from oversight.budget import service as budget
from oversight.budget.schemas import OperationsOut
from oversight.concerns import notes, timeline
from oversight.concerns.schemas import PublicConcernStatus, PublicNote, PublicNoteCreate
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.db import Database, Reads
from oversight.core.errors import Unprocessable
from oversight.core.http.caching import Cache, matches, public_tag
from oversight.core.http.deps import (
    CacheDep,
    Cursor,
    DatabaseDep,
    Limit,
    SessionDep,
    SettingsDep,
    Storable,
    limited_by_ip,
)
from oversight.core.http.responses import json_response
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.periods import Period, PeriodError
from oversight.core.ratelimit import RateLimit
from oversight.core.schemas import Page
from oversight.meetings import public as public_meetings
from oversight.meetings.schemas import PublicMeeting
from oversight.notifications import mail, messages
from oversight.notifications.schemas import Unsubscribed
from oversight.reports import formats, html, open_data, summary
from oversight.reports.schemas import PublicSummary, ReportFormat

router = APIRouter(prefix="/public", tags=["public"])
TrackingCode = Annotated[
    str, Path(min_length=12, max_length=30, description="e.g. OC-7F3K-9QXM-2DPA"), Storable
]


TRACKING = [Depends(limited_by_ip(RateLimit.TRACKING_IP))]


@router.get("/concerns/{tracking_code}", response_model=PublicConcernStatus, dependencies=TRACKING)
async def concern_status(tracking_code: TrackingCode, session: SessionDep) -> object:
    """Where a concern stands, for whoever holds its tracking code (case-insensitive)."""
    return await timeline.public_status(session, tracking_code)


@router.post(
    "/concerns/{tracking_code}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicNote,
    dependencies=TRACKING,
)
async def add_information(
    tracking_code: TrackingCode, body: PublicNoteCreate, session: SessionDep
) -> object:
    """Add information to a concern as its submitter (for anonymous submitters especially)."""
    return await notes.add_note_by_code(session, tracking_code, body.body)


@router.get("/meetings", response_model=Page[PublicMeeting])
async def meetings(
    session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """The commission's meetings, newest first: agendas, attendance by name, approved minutes."""
    items, next_cursor = await public_meetings.page(session, limit=limit, cursor=cursor)
    return json_response(Page[PublicMeeting](items=items, next_cursor=next_cursor))


@router.get(
    "/meetings.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An RFC 5545 calendar."}},
)
async def meetings_calendar(session: SessionDep, settings: SettingsDep) -> Response:
    """Subscribe to this in a calendar application."""
    # Links name PUBLIC_URL, never the request's Host: a shared cache keeps one feed for all.
    body = await public_meetings.calendar(session, settings.public_url.rstrip("/") + "/")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers=download("oversight-meetings.ics", inline=False),
    )


@router.get("/meetings/{meeting_id}", response_model=PublicMeeting)
async def meeting(meeting_id: uuid.UUID, session: SessionDep) -> Response:
    return json_response(await public_meetings.read(session, meeting_id))


FromMonth = Annotated[
    str | None,
    Query(alias="from", max_length=10, description="First month of the period, YYYY-MM."),
]
ToMonth = Annotated[
    str | None,
    Query(alias="to", max_length=10, description="Last month, YYYY-MM; not past the current."),
]


SummaryFormat = Annotated[
    ReportFormat | None,
    Query(
        deprecated=True,
        description="For links made before `summary.csv` and `summary.html`: `csv` or `html` "
        "is a 303 to that file's URL (so is a browser's `Accept: text/csv` or `text/html`).",
    ),
]


@router.get(
    "/reports/summary",
    response_model=PublicSummary,
    responses={303: {"description": "See Other."}},
)
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
    _period(start, end)  # a bad period is a 422 here, not after a redirect
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


@router.get(
    "/reports/summary.csv",
    name="report_summary_csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "`section,dimension,value`."}},
)
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


@router.get(
    "/reports/summary.html",
    name="report_summary_html",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "The HTML report."}},
)
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
    period = _period(start, end)
    threshold = settings.suppression_threshold

    async def compute() -> bytes:
        async with database.unit_of_work(Reads.SNAPSHOT) as session:
            computed = await summary.compute(session, period, threshold)
        figures = PublicSummary.model_validate(computed)
        head = f"{figures.audit_head.seq}\n".encode()
        return head + figures.model_dump_json(by_alias=True).encode()

    # The figures are cached for up to a minute; the tag names the state they describe.
    cached = await cache.get_or_compute(f"summary:{period}:{threshold}", compute)
    seq, _, body = cached.partition(b"\n")
    accept = request.headers.get("accept", "")
    tag = public_tag(int(seq), request.url.path, request.url.query, accept)
    if matches(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return tag, f"oversight-summary-{period.first}-to-{period.last}", body


def download(filename: str, *, inline: bool = True) -> dict[str, str]:
    """``Content-Disposition`` for a file a browser may show (``inline``) or save."""
    return {"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"'}


def _period(start: str | None, end: str | None) -> Period:
    """The period asked for, checked before anything is computed or streamed."""
    try:
        return Period.resolve(start, end, utcnow().date())
    except PeriodError as exc:
        raise Unprocessable(exc.message, loc=("query", exc.field)) from None


@router.get(
    "/data/concerns.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "De-identified records."}},
)
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
    period = _period(start, end)
    key = settings.signing_key.encode()

    async def body() -> AsyncIterator[str]:
        # Its own unit of work: the response streams after the route has returned.
        async with database.unit_of_work(Reads.SNAPSHOT) as session:
            async for line in open_data.lines(session, period, settings.suppression_threshold, key):
                yield line

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers=download(f"oversight-concerns-{period.first}-to-{period.last}.csv", inline=False),
    )


UnsubscribeToken = Annotated[
    str, Query(min_length=10, max_length=700, description="From the message's link."), Storable
]


def _subscriber(settings: Settings, token: str) -> str:
    email = messages.email_of(settings, token)
    if email is None:
        raise Unprocessable("Not an unsubscribe link of this service.", loc=("query", "token"))
    return email


@router.get("/unsubscribe", name="unsubscribe_page", response_class=HTMLResponse)
async def unsubscribe_page(token: UnsubscribeToken, settings: SettingsDep) -> HTMLResponse:
    """The page an unsubscribe link opens: a button that confirms (a GET changes nothing, so
    that a mail scanner following links unsubscribes nobody)."""
    _subscriber(settings, token)
    action = escape(f"?{urlencode({'token': token})}")
    return HTMLResponse(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Unsubscribe</title></head><body><main>"
        "<h1>Stop e-mails from the oversight commission</h1>"
        f'<form method="post" action="{action}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe / Cancelar la suscripción</button></form>'
        "</main></body></html>"
    )


@router.post("/unsubscribe", name="unsubscribe", response_model=Unsubscribed)
async def unsubscribe(
    token: UnsubscribeToken, session: SessionDep, settings: SettingsDep
) -> Response:
    """One-click unsubscribe (RFC 8058): what a mail client's button POSTs to the message's
    `List-Unsubscribe` link (body `List-Unsubscribe=One-Click`). Repeating it is harmless."""
    await mail.unsubscribe(session, _subscriber(settings, token))
    return json_response({"unsubscribed": True})


@router.get("/operations", name="operations", response_model=OperationsOut)
async def operations(session: SessionDep, start: FromMonth = None, end: ToMonth = None) -> Response:
    """Calls for service and median response minutes by month, priority and neighborhood,
    over whole months (default: the last twelve complete months)."""
    return json_response(await budget.operations_view(session, _period(start, end)))
