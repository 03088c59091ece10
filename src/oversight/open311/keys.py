"""Open311 API keys: issued, listed and revoked by the administrators, one per 311 system,
and checked before a request is filed (``open311.service.file_request``).

Only the key's SHA-256 is kept; the key itself is in the answer that issues it alone.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts import policy as account_policy
from oversight.accounts.policy import AdminAction
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.errors import Forbidden
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize, load_row
from oversight.core.roles import Actor
from oversight.open311.models import Open311Key
from oversight.open311.schemas import Open311KeyCreate

_KEYS_NEWEST = (
    SortKey(Open311Key.created_at, descending=True),
    SortKey(Open311Key.id, descending=True),
)
NO_KEY = "api_key is missing or not valid: ask the commission's administrators for one."


def _digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _key_view(key: Open311Key) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }


def _may(actor: Actor) -> None:
    authorize(account_policy.administration(actor.role, AdminAction.MANAGE_OPEN311_KEYS))


async def issue_key(session: AsyncSession, actor: Actor, data: Open311KeyCreate) -> dict[str, Any]:
    _may(actor)
    api_key = "o311_" + secrets.token_urlsafe(32)
    key = Open311Key(
        name=data.name, key_sha256=_digest(api_key), created_by=actor.user_id, created_at=utcnow()
    )
    session.add(key)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.OPEN311_KEY_ISSUED,
        entity_type=EntityType.OPEN311_KEY,
        entity_id=key.id,
        data={"name": key.name},
    )
    return _key_view(key) | {"api_key": api_key}


async def keys(
    session: AsyncSession, actor: Actor, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    _may(actor)
    rows, next_cursor = await keyset_page(
        session, select(Open311Key), _KEYS_NEWEST, limit=limit, cursor=cursor
    )
    return [_key_view(key) for key in rows], next_cursor


async def revoke_key(session: AsyncSession, actor: Actor, key_id: uuid.UUID) -> None:
    """Refused from now on; revoking a revoked key changes nothing."""
    _may(actor)
    key = await load_row(session, Open311Key, key_id, missing="No such key.", for_update=True)
    if key.revoked_at is not None:
        return
    key.revoked_at = utcnow()
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.OPEN311_KEY_REVOKED,
        entity_type=EntityType.OPEN311_KEY,
        entity_id=key.id,
        data={"name": key.name},
    )


async def key_of(session: AsyncSession, api_key: str | None) -> uuid.UUID:
    """The id of the live key ``api_key``, else 403 (as the specification asks)."""
    if not api_key:
        raise Forbidden(NO_KEY)
    key_id = await session.scalar(
        select(Open311Key.id).where(
            Open311Key.key_sha256 == _digest(api_key), Open311Key.revoked_at.is_(None)
        )
    )
    if key_id is None:
        raise Forbidden(NO_KEY)
    return key_id
