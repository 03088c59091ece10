"""Reading the audit log: filtered pages for staff and the public chain head."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts import policy as account_policy
from oversight.accounts.policy import AdminAction
from oversight.core.events import AuditAction, EntityType
from oversight.core.models import AuditEvent
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize
from oversight.core.roles import Actor


async def page(
    session: AsyncSession,
    actor: Actor,
    *,
    entity_type: EntityType | None,
    entity_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    action: AuditAction | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditEvent], str | None]:
    authorize(account_policy.administration(actor.role, AdminAction.READ_AUDIT))
    stmt = select(AuditEvent)
    if entity_type is not None:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return await keyset_page(session, stmt, [SortKey(AuditEvent.seq)], limit=limit, cursor=cursor)


async def head(session: AsyncSession) -> AuditEvent | None:
    return await session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
