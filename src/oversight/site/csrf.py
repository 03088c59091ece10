"""Cross-site request forgery: every form carries a token, and a post is refused unless its token
matches this browser's and it comes from this site.

The token is an HMAC of a random value kept in this browser's ``csrf`` cookie (HttpOnly,
SameSite=Lax), so that another site can neither read it nor make a browser send a matching
pair; a post whose ``Origin`` (or, without one, ``Referer``) names another site is refused as
well. Refused: 403, nothing changed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from oversight.core.config import Settings

COOKIE = "csrf"
FIELD = "csrf_token"


def _mac(settings: Settings, value: str) -> str:
    key = settings.signing_key.encode()
    return hmac.new(key, f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def browser_value(request: Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return value if value and len(value) == 43 else None


def token_for(request: Request, settings: Settings) -> tuple[str, str | None]:
    """The token a page's forms carry, and the cookie value to set when the browser has none."""
    value = browser_value(request)
    new = None
    if value is None:
        value = new = secrets.token_urlsafe(32)
    return _mac(settings, value), new


def remember(response: Response, new_value: str | None, secure: bool) -> None:
    if new_value is not None:
        response.set_cookie(
            COOKIE, new_value, httponly=True, samesite="lax", secure=secure, path="/"
        )


def same_site(request: Request, settings: Settings) -> bool:
    """The post does not name another site (its ``Origin``, else its ``Referer``). Browsers
    send ``Origin: null`` for a form of a page whose policy is ``no-referrer`` (every page of
    this service): then, as with no header at all, the token alone decides."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or sent == "null":
        return True
    origin = urlsplit(sent)
    own = {urlsplit(settings.public_url)[:2], (request.url.scheme, request.url.netloc)}
    return (origin.scheme, origin.netloc) in own


def valid(request: Request, settings: Settings, token: object) -> bool:
    value = browser_value(request)
    if value is None or not isinstance(token, str) or not same_site(request, settings):
        return False
    return hmac.compare_digest(token, _mac(settings, value))
