"""Which requests the replica answers (``core.replica``), and the primary's answer instead when
it fails one.

Anonymous reads of the public record go to the replica: GETs under the public prefixes and the
public site's pages that show the record. These stay on the primary: a request with a bearer
token or a site session (a signed-in caller always reads their own writes); the capability
URLs and an Open311 request by id (a submitter reads what they sent right after sending it);
and the open-data downloads (a long snapshot streamed after its 200, which a standby may cancel
to replay, past the point where the primary could answer instead). Each request reads from one
database throughout, its ``ETag`` state included (``public_state`` reads on the same one), so
a tag never names a state the answering database has not got.

A request the replica answers with a 5xx, or fails with an exception, before anything was sent
is answered again by the primary: the client sees one answer and no 5xx. A failure of the
replica's own (down, or a query cancelled for its replay) also skips it until a check finds it
well.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight.core.db import Database
from oversight.core.http.caching import PRIVATE_PREFIXES, PUBLIC_PREFIXES
from oversight.core.replica import ANSWERING, Attempt

#: Public reads that stay on the primary (see above).
PRIMARY_PREFIXES = (*PRIVATE_PREFIXES, "/api/v1/public/data/", "/open311/v2/requests/")

#: The public site's pages that show the record (sign-in, account, forms and the status view
#: by tracking code read from the primary).
SITE_PAGES = ("/meetings", "/resolutions", "/proposals", "/report", "/recommendations")
SITE_EXACT = frozenset({"/", "/budget", "/data"})
SESSION_COOKIE = "session="  # site.sessions.COOKIE


def for_the_replica(scope: Scope) -> bool:
    path: str = scope["path"]
    if scope["method"] not in ("GET", "HEAD"):
        return False
    public = path.startswith(PUBLIC_PREFIXES) and not path.startswith(PRIMARY_PREFIXES)
    page = path in SITE_EXACT or path.startswith(SITE_PAGES)
    if not (public or page):
        return False
    headers = Headers(scope=scope)
    return "authorization" not in headers and SESSION_COOKIE not in headers.get("cookie", "")


class ReplicaRouting:
    def __init__(self, app: ASGIApp, *, database: Database) -> None:
        self.app = app
        self.replica = database.replica

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        replica = self.replica
        if (
            replica is None
            or scope["type"] != "http"
            or not for_the_replica(scope)
            or not replica.usable()
        ):
            await self.app(scope, receive, send)
            return
        attempt = Attempt(replica)
        token = ANSWERING.set(attempt)
        sent = _Holding(send)
        try:
            await self.app(scope, _replaying(receive), sent)
        except Exception:
            if sent.started:
                raise
            sent.held = True
        finally:
            ANSWERING.reset(token)
        if sent.held:  # nothing was sent: the primary answers
            if attempt.failed:
                replica.set_down("failed a request")
            await self.app(scope, _replaying(receive), send)


class _Holding:
    """``send``, holding back a 5xx answer and its body."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False
        self.held = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if message["status"] >= 500:
                self.held = True
                return
            self.started = True
        if not self.held:
            await self.send(message)


def _replaying(receive: Receive) -> Receive:
    """A GET's empty body for the first ``receive`` of each answer, then the client's own
    messages (a disconnect)."""
    sent = False

    async def receiving() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return receiving
