from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import AwareDatetime

from oversight.accounts.deps import CurrentActor
from oversight.audit import service as audit_log
from oversight.audit.schemas import AuditEventOut, PublicAuditHead
from oversight.core.chain import GENESIS_HASH
from oversight.core.events import AuditAction, EntityType
from oversight.core.http.deps import Cursor, Limit, SessionDep
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page

router = APIRouter(prefix="/audit", tags=["audit"])
public = APIRouter(prefix="/public/audit", tags=["public"])


@router.get("/events", response_model=Page[AuditEventOut])
async def list_events(
    session: SessionDep,
    actor: CurrentActor,
    entity_type: EntityType | None = None,
    entity_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: AuditAction | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> object:
    """The audit log in chain order (`seq` ascending), filtered."""
    items, next_cursor = await audit_log.page(
        session,
        actor,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return {"items": items, "next_cursor": next_cursor}


@public.get("/head", name="audit_head", response_model=PublicAuditHead)
async def head(session: SessionDep) -> PublicAuditHead:
    """The newest event's `seq` and `hash`: record it, and check later that the log still
    leads to it."""
    event = await audit_log.head(session)
    if event is None:
        return PublicAuditHead(seq=0, hash=GENESIS_HASH, at=None)
    return PublicAuditHead(seq=event.seq, hash=event.hash, at=event.at)
