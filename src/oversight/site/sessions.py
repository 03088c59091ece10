"""Who is signed in on the site: a cookie (HttpOnly; Secure when ``PUBLIC_URL`` is https;
SameSite=Lax) naming a server-side sign-in (``auth_sessions``), sealed with an HMAC so that it
cannot be forged, good for ``refresh_token_days``. Signing out revokes the sign-in itself: the
cookie then names nothing, wherever a copy of it is."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from starlette.requests import Request
from starlette.responses import Response

from oversight.accounts import auth
from oversight.core.config import Settings
from oversight.core.db import Database

COOKIE = "session"
#: The sign-in's device token: this browser stays familiar to the account (decision 0009).
DEVICE = "device"


def _mac(settings: Settings, payload: str) -> str:
    key = settings.signing_key.encode()
    return hmac.new(key, f"site-session:{payload}".encode(), hashlib.sha256).hexdigest()


def seal(settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    payload = f"{user_id}.{session_id}.{int(time.time())}"
    return f"{payload}.{_mac(settings, payload)}"


def unseal(settings: Settings, value: str | None) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The (user, sign-in) a cookie names, if it is ours and not older than the sign-in's
    lifetime."""
    if not value or value.count(".") != 3:
        return None
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(settings, payload)):
        return None
    user, session, issued = payload.split(".")
    if not issued.isdigit() or time.time() - int(issued) > settings.refresh_token_days * 86400:
        return None
    try:
        return uuid.UUID(user), uuid.UUID(session)
    except ValueError:
        return None


async def visitor(request: Request, database: Database, settings: Settings) -> auth.SignedIn | None:
    """The signed-in visitor, or None (no cookie, a forged or expired one, or a sign-in that
    ended)."""
    named = unseal(settings, request.cookies.get(COOKIE))
    return None if named is None else await auth.by_session(database, *named)


def start(
    response: Response, settings: Settings, signed: auth.SignedIn, device: str | None
) -> None:
    secure = settings.public_url.startswith("https://")
    if signed.actor.session_id is None:
        raise RuntimeError("a sign-in without a session")
    response.set_cookie(
        COOKIE,
        seal(settings, signed.actor.user_id, signed.actor.session_id),
        max_age=settings.refresh_token_days * 86400,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    if device:
        response.set_cookie(
            DEVICE, device, max_age=30 * 86400, httponly=True, secure=secure, samesite="lax"
        )


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
