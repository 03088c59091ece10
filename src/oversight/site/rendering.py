"""A page as the site answers it: rendered in the request's language, with the site's content
security policy, and, for a public page, a validator tied to the record's state (the audit
head, as ``/public/`` answers are) so that an unchanged page is a 304."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.http.caching import PUBLIC_CACHE_CONTROL, matches, public_state, public_tag
from oversight.site import i18n, sessions
from oversight.site.words import words_for

#: No script at all, styles from the site's own sheet, forms only to the site.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
VARY = "Accept-Language, Cookie"


def language_of(request: Request) -> str:
    return i18n.negotiate(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    language = language_of(request)
    env = i18n.environment(language)
    gettext = i18n.translations(language).gettext

    def name_of(vocabulary: str, value: object) -> str:
        return gettext(words_for(vocabulary, value))

    body = env.get_template(template).render(
        request=request, path=request.url.path, name_of=name_of, **context
    )
    answer = {
        "Content-Security-Policy": CSP,
        "Content-Language": language,
        "Vary": VARY,
        **(headers or {}),
    }
    return HTMLResponse(body, status_code=status_code, headers=answer)


Build = Callable[[], Awaitable[Mapping[str, Any]]]


async def public_page(
    request: Request, database: Database, settings: Settings, template: str, build: Build
) -> Response:
    """A page anyone reads alike: ``ETag`` from the record's state, the path, the query and
    the language; 304 when ``If-None-Match`` names it, before anything else is read. For a
    signed-in visitor (whose name the page shows) it is private and never stored."""
    if request.cookies.get(sessions.COOKIE):
        signed = await sessions.visitor(request, database, settings)
        if signed is not None:
            context = {**await build(), "visitor": signed.profile}
            private = {"Cache-Control": "private, no-store"}
            return render(request, template, context, headers=private)
    state = await public_state(database)
    where = f"{language_of(request)}:{request.url.path}"
    tag = public_tag(state, where, request.url.query, "")
    cached = {"ETag": tag, "Cache-Control": PUBLIC_CACHE_CONTROL, "Vary": VARY}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=cached)
    return render(request, template, await build(), headers=cached)
