"""Webhooks (admin): endpoints that the city's other systems register to hear of changes; and
the state of the e-mail outbox."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from markupsafe import escape

from oversight.accounts.deps import CurrentActor
from oversight.core.config import Settings
from oversight.core.errors import Unprocessable
from oversight.core.http.deps import (
    Cursor,
    Limit,
    SessionDep,
    SettingsDep,
    Storable,
)
from oversight.core.http.documentation import documented
from oversight.core.http.responses import created_at, json_response, tagged
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page
from oversight.notifications import mail, messages, webhooks
from oversight.notifications.enums import DeliveryStatus, MessageStatus
from oversight.notifications.schemas import (
    DeliveryOut,
    MessageOut,
    Unsubscribed,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
    WebhookUpdate,
)

public = APIRouter(prefix="/public", tags=["public"])
router = APIRouter(prefix="/webhooks", tags=["webhooks"])
messages_router = APIRouter(prefix="/messages", tags=["messages"])


@router.post("", name="create", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated)
@documented(located=True)
async def create_webhook(
    body: WebhookCreate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
) -> Response:
    """Register an endpoint for `events`. Requests follow the Standard Webhooks specification
    (`webhook-id`, `webhook-timestamp`, `webhook-signature`); verify them with the `secret`,
    which this answer alone shows. In production the URL must be https and resolve to public
    addresses only."""
    webhook = await webhooks.create(session, settings, actor, body)
    return tagged(
        webhook, webhook["version"], 201, {"Location": created_at(request, webhook["id"])}
    )


@router.get("", name="list", response_model=Page[WebhookOut])
async def list_webhooks(
    session: SessionDep, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    items, next_cursor = await webhooks.page(session, actor, limit=limit, cursor=cursor)
    return json_response({"items": items, "next_cursor": next_cursor})


@router.get("/{webhook_id}", name="read", response_model=WebhookOut)
async def read_webhook(webhook_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> Response:
    webhook = await webhooks.read(session, actor, webhook_id)
    return tagged(webhook, webhook["version"])


@router.patch("/{webhook_id}", name="change", response_model=WebhookOut)
async def change_webhook(
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
) -> Response:
    """Change the URL, the events or the description; `enabled: true` turns on again an
    endpoint disabled after days of failures."""
    webhook = await webhooks.change(session, settings, actor, webhook_id, body)
    return tagged(webhook, webhook["version"])


@router.delete("/{webhook_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(
    webhook_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    await webhooks.remove(session, actor, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", name="deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    actor: CurrentActor,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Newest first: each delivery's status, attempts and the endpoint's last answer."""
    items, next_cursor = await webhooks.deliveries(
        session, actor, webhook_id, status=status_, limit=limit, cursor=cursor
    )
    return json_response({"items": items, "next_cursor": next_cursor})


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/retry", name="retry", response_model=DeliveryOut
)
async def retry_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """Send the delivery again at once (a `failed` one too), its attempts counted afresh."""
    return json_response(await webhooks.retry(session, actor, webhook_id, delivery_id))


@messages_router.get("", name="list", response_model=Page[MessageOut])
async def list_messages(
    session: SessionDep,
    actor: CurrentActor,
    status_: Annotated[MessageStatus | None, Query(alias="status")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """The e-mail outbox (admins), newest first: to whom, what kind, sent, pending (with its
    next attempt), failed (with the last error) or skipped (the address unsubscribed)."""
    items, next_cursor = await webhooks.messages(
        session, actor, status=status_, limit=limit, cursor=cursor
    )
    return json_response({"items": items, "next_cursor": next_cursor})


UnsubscribeToken = Annotated[
    str, Query(min_length=10, max_length=700, description="From the message's link."), Storable
]


def _subscriber(settings: Settings, token: str) -> str:
    email = messages.email_of(settings, token)
    if email is None:
        raise Unprocessable("Not an unsubscribe link of this service.", loc=("query", "token"))
    return email


@public.get("/unsubscribe", name="unsubscribe_page", response_class=HTMLResponse)
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


@public.post("/unsubscribe", name="unsubscribe", response_model=Unsubscribed)
async def unsubscribe(
    token: UnsubscribeToken, session: SessionDep, settings: SettingsDep
) -> Response:
    """One-click unsubscribe (RFC 8058): what a mail client's button POSTs to the message's
    `List-Unsubscribe` link (body `List-Unsubscribe=One-Click`). Repeating it is harmless."""
    await mail.unsubscribe(session, _subscriber(settings, token))
    return json_response({"unsubscribed": True})
