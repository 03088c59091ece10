"""Several workers against slow servers: each e-mail and each webhook delivery is sent once, and
each result is recorded. A claim's lease covers the worst case of what it claimed (every send
has a deadline), a worker starts no send its lease no longer covers, and a result is recorded
only where the worker's claim still holds. Real servers, started here: aiosmtpd that takes its
time over each message, and an HTTP endpoint that takes its time over each request."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.notifications.models import Delivery, Message
from oversight.notifications.worker import Worker
from tests.cases import Cast
from tests.conftest import make_settings
from tests.helpers import Api, free_port, moved, submit

#: Each SMTP transaction and each webhook request takes this long at the server.
DELAY = 0.25
#: The deadline of one send in these tests (the default is 10 s for a webhook, 30 s for an
#: e-mail): a lease of a few seconds, so that a lease too short for its work would show.
SEND_SECONDS = 1.0
#: The lease's margin for recording a result: 0.2 s was exceeded on a loaded two-core CI
#: machine (a recording transaction waited, the lease ran out, the other worker sent again).
MARGIN = 1.0


class SlowInbox:
    """An SMTP server that takes ``DELAY`` over each message, and counts them by recipient."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(DELAY)
        self.received.update(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def slow_inbox() -> Iterator[tuple[SlowInbox, int]]:
    handler = SlowInbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


async def run_workers(workers: list[Worker], done: Any, limit: float = 60.0) -> float:
    """The workers, each in its own task, until ``done()`` is true; how long it took."""
    stop = asyncio.Event()
    started = time.monotonic()
    tasks = [asyncio.create_task(w.run(stop, idle_seconds=0.05)) for w in workers]
    try:
        while not await done():
            assert time.monotonic() - started < limit, "the workers did not finish"
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for w in workers:
            await w.close()
    return time.monotonic() - started


async def test_two_workers_and_a_slow_smtp_server_send_each_message_once(
    api: Api, cast: Cast, settings: Settings, slow_inbox: tuple[SlowInbox, int]
) -> None:
    count = 24
    recipients = [f"resident{i}@example.org" for i in range(count)]
    for address in recipients:
        concern = await submit(api, None, contact_email=address, locale="en")
        await moved(api, cast.commissioner, concern, "triaged", public_note="Noted.")
    smtp = make_settings(settings.database_url, smtp_url=f"smtp://127.0.0.1:{slow_inbox[1]}")
    workers = [
        Worker(smtp, api.database, mail_batch=3, mail_seconds=SEND_SECONDS, margin_seconds=MARGIN)
        for _ in range(2)
    ]

    async def all_recorded() -> bool:
        async with api.database.unit_of_work() as session:
            pending = await session.scalar(select(func.count()).where(Message.status == "pending"))
        return pending == 0

    await run_workers(workers, all_recorded)
    assert slow_inbox[0].received == Counter(recipients)  # each once, none twice
    async with api.database.unit_of_work() as session:
        rows = (await session.execute(select(Message.status, Message.attempts))).all()
    assert sorted(rows) == [("sent", 1)] * count


async def test_a_lease_covers_what_was_claimed_and_no_send_outlives_it(
    api: Api, cast: Cast, settings: Settings, slow_inbox: tuple[SlowInbox, int]
) -> None:
    """A claim of three e-mails lasts three deadlines (and the margin); a send that would end
    after the lease is not started: the message is let go, untried, for the next round."""
    smtp = make_settings(settings.database_url, smtp_url=f"smtp://127.0.0.1:{slow_inbox[1]}")
    for i in range(4):
        concern = await submit(api, None, contact_email=f"r{i}@example.org", locale="en")
        await moved(api, cast.commissioner, concern, "triaged", public_note="Noted.")
    worker = Worker(smtp, api.database, mail_batch=3, mail_seconds=SEND_SECONDS, margin_seconds=0)
    try:
        before = utcnow()
        assert worker.mail_lease() == timedelta(seconds=3 * SEND_SECONDS)
        # A claim taken with too little time left: nothing is sent, everything is let go.
        assert await worker._mail(before, before + timedelta(seconds=SEND_SECONDS / 2)) == 0
        async with api.database.unit_of_work() as session:
            held = await session.scalar(
                select(func.count()).where(Message.claimed_until.is_not(None))
            )
            attempts = await session.scalar(select(func.sum(Message.attempts)))
        assert (held, attempts) == (0, 0)
        assert sum(slow_inbox[0].received.values()) == 0
        assert await worker.run_once() == 3  # one batch of three
        assert await worker.run_once() == 1
    finally:
        await worker.close()
    assert sum(slow_inbox[0].received.values()) == 4


class SlowEndpoint:
    """A webhook endpoint that takes ``DELAY`` over each request, and counts them by id."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        await request.body()
        await asyncio.sleep(DELAY)
        self.received[request.headers["webhook-id"]] += 1
        await Response(status_code=204)(scope, receive, send)


async def test_two_workers_and_a_slow_endpoint_deliver_each_event_once(
    api: Api, cast: Cast, settings: Settings
) -> None:
    endpoint = SlowEndpoint()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(endpoint, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    try:
        admin = await api.person(Role.ADMIN)
        created = await api.client.post(
            "/api/v1/webhooks",
            json={"url": f"http://127.0.0.1:{port}/hook", "events": ["concern.submitted"]},
            headers=admin.headers,
        )
        assert created.status_code == 201, created.text
        count = 16
        for _ in range(count):
            await submit(api, None)
        workers = [
            Worker(
                settings,
                api.database,
                batch=6,
                concurrency=2,
                send_seconds=SEND_SECONDS,
                margin_seconds=MARGIN,
            )
            for _ in range(2)
        ]

        async def all_recorded() -> bool:
            async with api.database.unit_of_work() as session:
                pending = await session.scalar(
                    select(func.count()).where(Delivery.status == "pending")
                )
            return pending == 0

        await run_workers(workers, all_recorded)
    finally:
        server.should_exit = True
        await task
    async with api.database.unit_of_work() as session:
        rows = (
            await session.execute(select(Delivery.id, Delivery.status, Delivery.attempts))
        ).all()
    assert sorted((status, attempts) for _, status, attempts in rows) == [("delivered", 1)] * count
    assert endpoint.received == Counter({str(row.id): 1 for row in rows})


async def test_a_retry_by_hand_leaves_a_workers_live_claim_alone(
    api: Api, cast: Cast, settings: Settings
) -> None:
    """An admin retries a delivery a worker is sending right now: no second worker may take it
    before the first has recorded its result (or its lease has ended)."""
    endpoint = SlowEndpoint()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(endpoint, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    first, second = (Worker(settings, api.database) for _ in range(2))
    try:
        admin = await api.person(Role.ADMIN)
        created = await api.client.post(
            "/api/v1/webhooks",
            json={"url": f"http://127.0.0.1:{port}/hook", "events": ["concern.submitted"]},
            headers=admin.headers,
        )
        webhook = created.json()
        await submit(api, None)
        now = utcnow()
        until = now + first.webhook_lease()
        [row] = await first._claim(now, until)  # the first worker is about to send it
        retried = await api.client.post(
            f"/api/v1/webhooks/{webhook['id']}/deliveries/{row.delivery_id}/retry",
            headers=admin.headers,
        )
        assert retried.status_code == 200, retried.text
        assert await second.run_once() == 0  # still the first worker's
        outcome = await first._send(row, until)
        await first._record([outcome], until)
    finally:
        await first.close()
        await second.close()
        server.should_exit = True
        await task
    assert endpoint.received == Counter({str(row.delivery_id): 1})
    async with api.database.unit_of_work() as session:
        status = await session.scalar(select(Delivery.status))
    assert status == "delivered"
