"""Webhooks: registered by an admin, delivered by the outbox worker to a real receiver that
verifies them with the `standardwebhooks` library, retried, given up on, disabled, retried by
hand; written in the transaction of the change or not at all."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select, update
from standardwebhooks.webhooks import Webhook as Verifier
from starlette.requests import Request
from starlette.responses import Response

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.models import AuditEvent
from oversight.core.roles import Role
from oversight.main import create_app
from oversight.notifications.models import Delivery, Webhook
from oversight.notifications.worker import Worker
from tests.cases import Cast
from tests.conftest import make_settings
from tests.helpers import CONCERNS, Api, Person, assert_problem, concern_body, free_port, submit

WEBHOOKS = "/api/v1/webhooks"
CLOSED_PORT = "http://127.0.0.1:1/hook"  # nothing listens: every attempt fails


@dataclass
class Receiver:
    """An endpoint of another system: it verifies each request, keeps each message once (by
    `webhook-id`), and can be told to fail."""

    url: str = ""
    secret: str | None = None
    fail_next: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        body = await request.body()
        headers = dict(request.headers)
        assert self.secret is not None
        verified = Verifier(self.secret).verify(body, headers)  # raises if not signed by us
        self.requests.append({"headers": headers, "body": verified})
        if self.fail_next > 0:
            self.fail_next -= 1
            await Response("try later", status_code=503)(scope, receive, send)
            return
        self.messages.setdefault(headers["webhook-id"], verified)
        await Response(status_code=204)(scope, receive, send)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(endpoint, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    endpoint.url = f"http://127.0.0.1:{port}/hooks/oversight"
    yield endpoint
    server.should_exit = True
    await task


@pytest.fixture
async def worker(api: Api, settings: Settings) -> AsyncIterator[Worker]:
    sender = Worker(settings, api.database)
    yield sender
    await sender.close()


async def register(
    api: Api, admin: Person, url: str, events: list[str], receiver: Receiver | None = None
) -> dict[str, Any]:
    response = await api.client.post(
        WEBHOOKS, json={"url": url, "events": events, "description": "CRM"}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    webhook: dict[str, Any] = response.json()
    if receiver is not None:
        receiver.secret = webhook["secret"]
    return webhook


async def deliveries(api: Api, admin: Person, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    response = await api.client.get(f"{WEBHOOKS}/{webhook['id']}/deliveries", headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def make_due(api: Api) -> None:
    """Time passes: every pending delivery is due now."""
    async with api.database.unit_of_work() as session:
        await session.execute(update(Delivery).values(next_attempt_at=utcnow()))


async def test_a_change_is_delivered_signed_and_without_personal_data(
    api: Api, cast: Cast, receiver: Receiver, worker: Worker
) -> None:
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, receiver.url, ["concern.*"], receiver)
    assert webhook["secret"].startswith("whsec_")
    assert webhook["events"] == ["concern.*"]
    shown = await api.client.get(f"{WEBHOOKS}/{webhook['id']}", headers=admin.headers)
    assert "secret" not in shown.json()

    concern = await submit(api, cast.resident, contact_email="me@example.org")
    pending = await deliveries(api, admin, webhook)
    assert [(d["action"], d["status"], d["attempts"]) for d in pending] == [
        ("concern.submitted", "pending", 0)
    ]
    assert await worker.run_once() == 1
    assert len(receiver.requests) == 1
    message = receiver.requests[0]["body"]
    event = (await api.audit_events(entity_id=concern["id"]))[0]
    assert message == {
        "type": "concern.submitted",
        "timestamp": event["at"],
        "data": {
            "seq": event["seq"],
            "action": "concern.submitted",
            "entity_type": "concern",
            "entity_id": concern["id"],
            "from_status": None,
            "to_status": "submitted",
            "at": event["at"],
        },
    }
    raw = json.dumps(receiver.requests[0])
    for private in (
        concern["summary"],
        "me@example.org",
        concern["tracking_code"],
        str(cast.resident.id),
    ):
        assert private not in raw
    assert receiver.requests[0]["headers"]["webhook-id"] == pending[0]["id"]
    done = await deliveries(api, admin, webhook)
    assert (done[0]["status"], done[0]["attempts"], done[0]["last_status_code"]) == (
        "delivered",
        1,
        204,
    )
    assert await worker.run_once() == 0  # nothing sent twice


async def test_only_subscribed_events_and_enabled_endpoints(
    api: Api, cast: Cast, receiver: Receiver
) -> None:
    admin = await api.person(Role.ADMIN)
    moves = await register(api, admin, receiver.url, ["concern.transition"])
    everything = await register(api, admin, receiver.url, ["concern.*", "concern.submitted"])
    off = await register(api, admin, receiver.url, ["concern.*"])
    turned_off = await api.client.patch(
        f"{WEBHOOKS}/{off['id']}", json={"enabled": False}, headers=admin.headers
    )
    assert turned_off.status_code == 200 and turned_off.json()["enabled"] is False
    await submit(api, cast.resident)
    assert await deliveries(api, admin, moves) == []
    assert len(await deliveries(api, admin, everything)) == 1  # once, though two names match
    assert await deliveries(api, admin, off) == []


async def test_a_rolled_back_change_has_no_delivery(api: Api, cast: Cast) -> None:
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, CLOSED_PORT, ["concern.*"])
    refused = await api.client.post(
        CONCERNS, json=concern_body(category="no_such_category"), headers=cast.resident.headers
    )
    assert_problem(refused, 422)
    with pytest.raises(RuntimeError):
        async with api.database.unit_of_work() as session:
            from oversight.core import audit
            from oversight.core.events import AuditAction, EntityType

            await audit.record(
                session,
                actor=None,
                action=AuditAction.CONCERN_SUBMITTED,
                entity_type=EntityType.CONCERN,
                entity_id=uuid.uuid4(),
            )
            await session.flush()
            raise RuntimeError("the change fails after its event was staged")
    assert await deliveries(api, admin, webhook) == []


async def test_failures_are_retried_with_backoff_and_deduplicated(
    api: Api, cast: Cast, receiver: Receiver, worker: Worker
) -> None:
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, receiver.url, ["concern.submitted"], receiver)
    await submit(api, cast.resident)
    receiver.fail_next = 2
    before = utcnow()
    await worker.run_once()
    [first] = await deliveries(api, admin, webhook)
    assert (first["status"], first["attempts"], first["last_status_code"]) == ("pending", 1, 503)
    wait = datetime_of(first["next_attempt_at"]) - before
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=7)
    assert await worker.run_once() == 0  # not due yet
    await make_due(api)
    await worker.run_once()
    [second] = await deliveries(api, admin, webhook)
    assert (second["attempts"], second["status"]) == (2, "pending")
    assert datetime_of(second["next_attempt_at"]) - utcnow() > timedelta(seconds=20)  # 30 s
    await make_due(api)
    await worker.run_once()
    [third] = await deliveries(api, admin, webhook)
    assert (third["attempts"], third["status"]) == (3, "delivered")
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and ids == {first["id"]}  # one message, tried 3 times
    assert len(receiver.messages) == 1


async def test_after_about_a_day_a_delivery_fails_and_an_admin_retries_it(
    api: Api, cast: Cast, receiver: Receiver, worker: Worker
) -> None:
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, receiver.url, ["concern.submitted"], receiver)
    await submit(api, cast.resident)
    receiver.fail_next = 100
    async with api.database.unit_of_work() as session:
        await session.execute(update(Delivery).values(attempts=12))  # the last retry
    await worker.run_once()
    [failed] = await deliveries(api, admin, webhook)
    assert (failed["status"], failed["attempts"]) == ("failed", 13)
    await make_due(api)
    assert await worker.run_once() == 0  # failed is final

    receiver.fail_next = 0
    retried = await api.client.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{failed['id']}/retry", headers=admin.headers
    )
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    assert await worker.run_once() == 1
    [delivered] = await deliveries(api, admin, webhook)
    assert delivered["status"] == "delivered"
    events = await api.audit_events(entity_id=webhook["id"])
    assert [e["action"] for e in events] == ["webhook.created", "webhook.delivery_retried"]
    assert events[1]["data"] == {"delivery_id": failed["id"]}
    other = await register(api, admin, CLOSED_PORT, ["concern.*"])
    wrong = await api.client.post(
        f"{WEBHOOKS}/{other['id']}/deliveries/{failed['id']}/retry", headers=admin.headers
    )
    assert_problem(wrong, 404)


async def test_an_endpoint_failing_for_three_days_is_disabled(
    api: Api, cast: Cast, worker: Worker
) -> None:
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, CLOSED_PORT, ["concern.*"])
    await submit(api, cast.resident)
    await worker.run_once()
    shown = (await api.client.get(f"{WEBHOOKS}/{webhook['id']}", headers=admin.headers)).json()
    assert shown["enabled"] is True and shown["failing_since"] is not None
    async with api.database.unit_of_work() as session:
        await session.execute(
            update(Webhook).values(failing_since=utcnow() - timedelta(days=3, minutes=1))
        )
    await make_due(api)
    await worker.run_once()
    shown = (await api.client.get(f"{WEBHOOKS}/{webhook['id']}", headers=admin.headers)).json()
    assert shown["enabled"] is False
    assert shown["disabled_reason"].startswith("Every delivery failed from")
    events = await api.audit_events(entity_id=webhook["id"])
    assert events[-1]["action"] == "webhook.disabled"
    assert (events[-1]["actor_role"], events[-1]["actor_id"]) == ("system", None)
    await submit(api, cast.resident)  # a disabled endpoint gets nothing new
    assert len(await deliveries(api, admin, webhook)) == 1
    again = await api.client.patch(
        f"{WEBHOOKS}/{webhook['id']}", json={"enabled": True}, headers=admin.headers
    )
    assert again.json()["enabled"] is True and again.json()["disabled_reason"] is None


async def test_workers_share_the_work_and_take_over_a_dead_workers_claims(
    api: Api, cast: Cast, receiver: Receiver, settings: Settings
) -> None:
    admin = await api.person(Role.ADMIN)
    await register(api, admin, receiver.url, ["concern.*"], receiver)
    for _ in range(30):
        await submit(api, None)
    workers = [Worker(settings, api.database, batch=10) for _ in range(3)]
    try:
        # One worker claims a batch and dies before sending it.
        now = utcnow()
        dead = await workers[0]._claim(now, now + timedelta(seconds=60))
        assert len(dead) == 10
        while sum(await asyncio.gather(*(w.run_once() for w in workers[1:]))):
            pass
        assert len(receiver.messages) == 20  # the dead worker's ten wait for its claim to end
        async with api.database.unit_of_work() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.claimed_until.is_not(None))
                .values(claimed_until=utcnow() - timedelta(seconds=1))
            )
        while sum(await asyncio.gather(*(w.run_once() for w in workers[1:]))):
            pass
    finally:
        for w in workers:
            await w.close()
    assert len(receiver.messages) == 30
    assert len(receiver.requests) == 30  # none sent twice
    async with api.database.unit_of_work() as session:
        statuses = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        assert dict(statuses.all()) == {"delivered": 30}


async def test_admins_only_and_changes_are_audited_without_the_secret(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    for role in (Role.COMMISSIONER, Role.OFFICER, Role.RESIDENT):
        person = await api.person(role)
        refused = await api.client.post(
            WEBHOOKS, json={"url": CLOSED_PORT, "events": ["concern.*"]}, headers=person.headers
        )
        assert_problem(refused, 403)
        assert_problem(await api.client.get(WEBHOOKS, headers=person.headers), 403)
    webhook = await register(api, admin, CLOSED_PORT, ["concern.*"])
    changed = await api.client.patch(
        f"{WEBHOOKS}/{webhook['id']}",
        json={"events": ["meeting.*", "resolution.transition"], "description": None},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["meeting.*", "resolution.transition"]
    assert changed.headers["etag"] == '"2"'
    listed = await api.client.get(WEBHOOKS, headers=admin.headers)
    assert [w["id"] for w in listed.json()["items"]] == [webhook["id"]]
    removed = await api.client.delete(f"{WEBHOOKS}/{webhook['id']}", headers=admin.headers)
    assert removed.status_code == 204
    assert_problem(await api.client.get(f"{WEBHOOKS}/{webhook['id']}", headers=admin.headers), 404)
    events = await api.audit_events(entity_id=webhook["id"])
    assert [e["action"] for e in events] == [
        "webhook.created",
        "webhook.changed",
        "webhook.deleted",
    ]
    assert webhook["secret"] not in json.dumps(events)
    assert events[1]["data"]["changed"] == ["description", "events"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.org/hook", "events": ["concern.exploded"]}, "events"),
        ({"url": "https://example.org/hook", "events": ["nothing.*"]}, "events"),
        ({"url": "https://example.org/hook", "events": []}, "events"),
        ({"url": "ftp://example.org/hook", "events": ["concern.*"]}, "url"),
        ({"url": "https://user:pw@example.org/hook", "events": ["concern.*"]}, "url"),
    ],
)
async def test_bad_input_is_a_422_and_changes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    admin = await api.person(Role.ADMIN)
    problem = assert_problem(await api.client.post(WEBHOOKS, json=body, headers=admin.headers), 422)
    assert problem["errors"][0]["loc"][-1] == field
    assert (await api.client.get(WEBHOOKS, headers=admin.headers)).json()["items"] == []


@pytest.fixture
async def production(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(make_settings(settings.database_url, env="production"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield Api(client, app.state.database)
    await app.state.database.dispose()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.org/hook", "must be https"),
        ("https://127.0.0.1/hook", "resolves to 127.0.0.1"),
        ("https://localhost/hook", "resolves to"),
        ("https://169.254.169.254/latest/meta-data", "resolves to 169.254.169.254"),
        ("https://10.0.0.1/hook", "resolves to 10.0.0.1"),
        ("https://[::1]/hook", "resolves to ::1"),
        ("https://[::ffff:10.0.0.1]/hook", "resolves to 10.0.0.1"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
async def test_in_production_only_https_to_public_addresses(
    production: Api, url: str, reason: str
) -> None:
    admin = await production.person(Role.ADMIN)
    response = await production.client.post(
        WEBHOOKS, json={"url": url, "events": ["concern.*"]}, headers=admin.headers
    )
    problem = assert_problem(response, 422)
    assert reason in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "url"]


@pytest.mark.parametrize(
    "host",
    [
        "[::127.0.0.1]",  # IPv4-compatible
        "[::ffff:0:7f00:1]",  # IPv4-translated
        "[64:ff9b::7f00:1]",  # NAT64
        "[64:ff9b:1::7f00:1]",  # local-use NAT64
        "[2002:7f00:1::1]",  # 6to4
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo, client 127.0.0.1
        "[fec0::1]",  # site-local
        "[ff0e::1]",  # multicast
        "224.0.0.1",  # multicast
        "[::ffff:127.0.0.1]",  # IPv4-mapped
    ],
)
async def test_in_production_no_ipv6_form_of_a_private_address(production: Api, host: str) -> None:
    admin = await production.person(Role.ADMIN)
    response = await production.client.post(
        WEBHOOKS,
        json={"url": f"https://{host}/hook", "events": ["concern.*"]},
        headers=admin.headers,
    )
    problem = assert_problem(response, 422)
    assert "not a public address" in problem["detail"] or "local NAT64" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "url"]
    assert (await production.client.get(WEBHOOKS, headers=admin.headers)).json()["items"] == []


async def test_in_production_a_public_address_behind_nat64_or_6to4_is_accepted(
    production: Api,
) -> None:
    """DNS64 answers an IPv4-only name with 64:ff9b::/96: judged by the IPv4 address in it."""
    admin = await production.person(Role.ADMIN)
    for host in ("[64:ff9b::808:808]", "[2002:808:808::1]", "8.8.8.8"):
        response = await production.client.post(
            WEBHOOKS,
            json={"url": f"https://{host}/hook", "events": ["concern.*"]},
            headers=admin.headers,
        )
        assert response.status_code == 201, response.text


async def test_an_unsafe_url_is_refused_again_at_send_time(
    api: Api, cast: Cast, settings: Settings
) -> None:
    """Registered while allowed (a name may also resolve elsewhere later): the worker checks
    before each send, and a refused send is a failure like any other."""
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, "http://127.0.0.1:9/hook", ["concern.*"])
    await submit(api, cast.resident)
    strict = Worker(make_settings(settings.database_url, env="production"), api.database)
    try:
        await strict.run_once()
    finally:
        await strict.close()
    [attempt] = await deliveries(api, admin, webhook)
    assert attempt["last_error"].startswith("refused: the URL must be https")


async def test_the_worker_connects_to_the_address_it_checked(
    api: Api, cast: Cast, receiver: Receiver, settings: Settings
) -> None:
    """DNS rebinding: the name answers 127.0.0.1 (where the endpoint listens) when the worker
    checks it, and 127.0.0.2 (an internal service on the same port) ever after. The request
    reaches the checked address, named by its own Host, and the name is resolved once."""
    port = int(receiver.url.rsplit(":", 1)[1].split("/", 1)[0])
    internal = Receiver()
    server = uvicorn.Server(
        uvicorn.Config(internal, host="127.0.0.2", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    asked: list[str] = []

    async def rebinding(host: str) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"] if len(asked) == 1 else ["127.0.0.2"]

    admin = await api.person(Role.ADMIN)
    url = f"http://hooks.rebinding.test:{port}/hooks/oversight"
    webhook = await register(api, admin, url, ["concern.submitted"], receiver)
    internal.secret = receiver.secret
    await submit(api, cast.resident)
    sender = Worker(settings, api.database, resolve=rebinding)
    try:
        assert await sender.run_once() == 1
    finally:
        await sender.close()
        server.should_exit = True
        await task
    assert asked == ["hooks.rebinding.test"]
    [request] = receiver.requests
    assert request["headers"]["host"] == f"hooks.rebinding.test:{port}"
    assert internal.requests == []
    [delivered] = await deliveries(api, admin, webhook)
    assert (delivered["status"], delivered["last_status_code"]) == ("delivered", 204)


async def test_a_name_that_does_not_resolve_is_not_sent_to(
    api: Api, cast: Cast, settings: Settings
) -> None:
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, "http://hooks.nowhere.test/hook", ["concern.*"])
    await submit(api, cast.resident)

    async def nothing(host: str) -> list[str]:
        return []

    sender = Worker(settings, api.database, resolve=nothing)
    try:
        await sender.run_once()
    finally:
        await sender.close()
    [attempt] = await deliveries(api, admin, webhook)
    assert attempt["last_error"] == "refused: the URL hooks.nowhere.test does not resolve"


def datetime_of(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


async def drive_webhooks(api: Api, cast: Cast, settings: Settings) -> None:
    """Every audited webhook change, for tests/audit/test_audit_event_data.py."""
    admin = await api.person(Role.ADMIN)
    webhook = await register(api, admin, CLOSED_PORT, ["concern.*"])
    changed = await api.client.patch(
        f"{WEBHOOKS}/{webhook['id']}", json={"description": "Dashboard"}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.text
    await submit(api, cast.resident)
    sender = Worker(settings, api.database)
    try:
        await sender.run_once()
        async with api.database.unit_of_work() as session:
            await session.execute(
                update(Webhook).values(failing_since=utcnow() - timedelta(days=4))
            )
            await session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        await sender.run_once()  # disabled
    finally:
        await sender.close()
    [delivery] = await deliveries(api, admin, webhook)
    retried = await api.client.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{delivery['id']}/retry", headers=admin.headers
    )
    assert retried.status_code == 200, retried.text
    removed = await api.client.delete(f"{WEBHOOKS}/{webhook['id']}", headers=admin.headers)
    assert removed.status_code == 204
    async with api.database.unit_of_work() as session:
        actions = set(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.entity_type == "webhook")
            )
        )
    assert actions == {
        "webhook.created",
        "webhook.changed",
        "webhook.disabled",
        "webhook.delivery_retried",
        "webhook.deleted",
    }
