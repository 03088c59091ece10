"""The site's pages (HTML, not in the API's OpenAPI document): each one reads through the same
services as the API's public answers, in a unit of work of its own, and renders a template.
A refusal is a page too (never a JSON problem)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from oversight.concerns import timeline
from oversight.core.clock import utcnow
from oversight.core.engines import Reads
from oversight.core.errors import NotFound, TooManyRequests
from oversight.core.http.deps import DatabaseDep, LimiterDep, SettingsDep
from oversight.core.language import N_
from oversight.core.ratelimit import RateLimit, client_ip
from oversight.meetings import public as public_meetings
from oversight.meetings.enums import MeetingStatus
from oversight.resolutions import public as published
from oversight.site import i18n
from oversight.site.forms import SAYS, FormErrors, form_page
from oversight.site.rendering import language_of, public_page, render
from oversight.voice import comments
from oversight.voice import proposals as proposals_service
from oversight.voice.enums import CommentTarget, ProposalStatus
from oversight.voice.proposal_schemas import ProposalSort

router = APIRouter(include_in_schema=False, tags=["site"])

#: Meetings still ahead, as the home page lists them.
AHEAD = (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION)
PUBLISHED = N_("Your comment is published.")
PENDING = N_("Thank you: your comment is published once the commission's staff read it.")
SIGNED_UP = N_("You are signed up to speak.")
LOOKUPS = N_("Too many look-ups from your connection. Wait a minute and try again.")


def not_found(request: Request) -> Response:
    return render(request, "not_found.html.j2", {}, status_code=404)


@router.get("/", name="site_home")
async def home(request: Request, settings: SettingsDep, database: DatabaseDep) -> Response:
    """Next meetings, recent resolutions, proposals open for support, how to bring a concern."""

    async def build() -> dict[str, Any]:
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            # Newest first: the meetings still ahead are the first few.
            meetings, _ = await public_meetings.listing(session, limit=6, cursor=None)
            resolutions, _ = await published.page(session, limit=5, cursor=None)
            proposals, _ = await proposals_service.page(
                session,
                statuses=(ProposalStatus.OPEN, ProposalStatus.QUALIFIED),
                sort=ProposalSort.MOST_SUPPORTED,
                limit=5,
                cursor=None,
            )
        since = utcnow() - timedelta(hours=6)
        ahead = [m for m in meetings if m.status in AHEAD and m.scheduled_at >= since]
        upcoming = sorted(ahead, key=lambda m: m.scheduled_at)[:3]
        return {"upcoming": upcoming, "resolutions": resolutions, "proposals": proposals}

    return await public_page(request, database, settings, "home.html.j2", build)


@router.get("/meetings", name="site_meetings")
async def meetings(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Every meeting, newest first, a page at a time."""

    async def build() -> dict[str, Any]:
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            items, next_cursor = await public_meetings.listing(session, limit=20, cursor=cursor)
        more = f"/meetings?{urlencode({'cursor': next_cursor})}" if next_cursor else None
        return {"meetings": items, "more": more}

    return await public_page(request, database, settings, "meetings.html.j2", build)


@router.get("/meetings/{meeting_id}", name="site_meeting")
async def meeting(
    request: Request, settings: SettingsDep, meeting_id: str, database: DatabaseDep
) -> Response:
    """A meeting: its agenda with documents, comments and decisions, attendance, minutes once
    approved; while it is open, links to comment on an item and to sign up to speak."""
    try:
        key = uuid.UUID(meeting_id)
    except ValueError:
        return not_found(request)
    gettext = i18n.translations(language_of(request)).gettext
    notice = {
        "published": gettext(PUBLISHED),
        "pending": gettext(PENDING),
    }.get(request.query_params.get("comment", ""))
    if request.query_params.get("spoken"):
        notice = gettext(SIGNED_UP)

    async def build() -> dict[str, Any]:
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            found = await public_meetings.read(session, key)
            said = {}
            for item in found.agenda:
                said[item.id], _, _ = await comments.public_page(
                    session, CommentTarget.AGENDA_ITEM, item.id, limit=50, cursor=None
                )
        return {
            "meeting": found,
            "comments": said,
            "open_for_comment": found.status in AHEAD,
            "notice": notice,
        }

    try:  # a validator is checked first: only a page that exists was ever given one
        return await public_page(request, database, settings, "meeting.html.j2", build)
    except NotFound:
        return not_found(request)


@router.get("/resolutions", name="site_resolutions")
async def resolutions(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Decided resolutions, newest first, with their votes by name."""

    async def build() -> dict[str, Any]:
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            items, next_cursor = await published.page(session, limit=20, cursor=cursor)
        more = f"/resolutions?{urlencode({'cursor': next_cursor})}" if next_cursor else None
        return {"resolutions": items, "more": more}

    return await public_page(request, database, settings, "resolutions.html.j2", build)


@router.get("/resolutions/{resolution_id}", name="site_resolution")
async def resolution(
    request: Request, settings: SettingsDep, resolution_id: str, database: DatabaseDep
) -> Response:
    try:
        key = uuid.UUID(resolution_id)
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            found = await published.read(session, key)
    except (ValueError, NotFound):
        return not_found(request)

    async def build() -> dict[str, Any]:
        return {"resolution": found}

    return await public_page(request, database, settings, "resolution.html.j2", build)


@router.get("/proposals", name="site_proposals")
async def proposals(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Residents' proposals, most supported first."""

    async def build() -> dict[str, Any]:
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            items, next_cursor = await proposals_service.page(
                session, statuses=(), sort=ProposalSort.MOST_SUPPORTED, limit=20, cursor=cursor
            )
        more = f"/proposals?{urlencode({'cursor': next_cursor})}" if next_cursor else None
        return {"proposals": items, "more": more}

    return await public_page(request, database, settings, "proposals.html.j2", build)


@router.get("/track", name="site_track")
async def track(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    code: Annotated[str | None, Query(max_length=40)] = None,
    added: Annotated[bool, Query()] = False,
) -> Response:
    """Follow a concern by its tracking code: where it stands, what happened, and when, and a
    form to add information. A capability page: never stored by a cache. Look-ups count
    against the API's limit for tracking codes."""
    gettext = i18n.translations(language_of(request)).gettext
    context: dict[str, Any] = {"code": code or "", "found": None, "values": {}, "added": added}
    if not code:
        return form_page(request, settings, "track.html.j2", context)
    try:
        await limiter.hit(RateLimit.TRACKING_IP, client_ip(request))
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            context["found"] = await timeline.public_status(session, code.strip())
    except TooManyRequests as exc:
        errors = FormErrors({"code": gettext(LOOKUPS)})
        page = form_page(
            request, settings, "track.html.j2", context, status_code=429, errors=errors
        )
        page.headers.update(exc.headers)  # Retry-After
        return page
    except NotFound:
        errors = FormErrors({"code": gettext(SAYS["code"])})
        return form_page(
            request, settings, "track.html.j2", context, status_code=404, errors=errors
        )
    return form_page(request, settings, "track.html.j2", context)


@router.get("/language", name="site_language")
async def language(
    to: Annotated[str, Query(max_length=5)],
    next: Annotated[str, Query(max_length=500)] = "/",
) -> Response:
    """Switch the language, remembered in a cookie, and go back to the page (this site's
    paths only)."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    answer = RedirectResponse(target.replace("\\", "/"), status_code=303)
    if to in i18n.LANGUAGES:
        i18n.remember(answer, to)
    return answer
