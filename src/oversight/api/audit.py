from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from oversight.api.deps import Cursor, Limit, SessionDep, Storable, require
from oversight.audit import GENESIS_HASH
from oversight.domain.roles import Actor, Permission
from oversight.pagination import DEFAULT_LIMIT
from oversight.schemas import AuditEventPublic, AuditHead, Page
from oversight.services import audit_log

router = APIRouter(prefix="/audit", tags=["audit"])
public = APIRouter(prefix="/public/audit", tags=["public"])


@router.get("/events", response_model=Page[AuditEventPublic])
async def list_events(
    session: SessionDep,
    _: Annotated[Actor, Depends(require(Permission.READ_AUDIT))],
    entity_type: Annotated[str | None, Query(max_length=40), Storable] = None,
    entity_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=64), Storable] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> object:
    """The audit log in chain order (`seq` ascending), filtered."""
    items, next_cursor = await audit_log.page(
        session,
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


@public.get("/head", response_model=AuditHead)
async def head(session: SessionDep) -> AuditHead:
    """The newest event's `seq` and `hash`: record it, and check later that the log still
    leads to it."""
    event = await audit_log.head(session)
    if event is None:
        return AuditHead(seq=0, hash=GENESIS_HASH, at=None)
    return AuditHead(seq=event.seq, hash=event.hash, at=event.at)
