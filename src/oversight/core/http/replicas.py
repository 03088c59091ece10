"""Which requests the replica answers (``core.replica``), and the primary's answer instead when
it fails one.

Anonymous reads of the public record go to the replica: GETs under the public prefixes (not
the capability URLs: a submitter reads their own concern by tracking code right after sending
it) and the public site's pages that show the record. A request with a bearer token or a
site session reads from the primary, so a signed-in caller always reads their own writes. Each
request reads from one database throughout, its ``ETag`` state included (``public_state``
reads on the same one), so a tag never names a state the answering database has not got.

A request the replica fails (it went down, or cancelled a query for its replay) is answered
again from the primary before anything was sent: the client sees one answer and no 5xx, and
the replica is skipped until its next check.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight.core.db import Database
from oversight.core.http.caching import PRIVATE_PREFIXES, PUBLIC_PREFIXES
from oversight.core.replica import ANSWERING, Attempt

#: The public site's pages that show the record (sign-in, account, forms and the status view
#: by tracking code read from the primary).
SITE_PAGES = ("/meetings", "/resolutions", "/proposals", "/report", "/recommendations")
SITE_EXACT = frozenset({"/", "/budget", "/data"})
SESSION_COOKIE = "session="  # site.sessions.COOKIE


def for_the_replica(scope: Scope) -> bool:
    path: str = scope["path"]
    if scope["method"] not in ("GET", "HEAD"):
        return False
    public = path.startswith(PUBLIC_PREFIXES) and not path.startswith(PRIVATE_PREFIXES)
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
        held: list[Message] = []
        try:
            await self.app(scope, _replaying(receive), _holding_failures(send, attempt, held))
        finally:
            ANSWERING.reset(token)
        if held:  # the replica failed it and nothing was sent: the primary answers
            replica.set_down("failed a request")
            await self.app(scope, _replaying(receive), send)


def _holding_failures(send: Send, attempt: Attempt, held: list[Message]) -> Send:
    """``send``, except a 5xx answer to a request the replica failed, which is held back."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] >= 500:
            if attempt.failed:
                held.append(message)
                return
        elif held:
            return  # the held answer's body
        await send(message)

    return sending


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
