"""Decided resolutions as the public reads them, with their public documents: for the API's
`/public/resolutions` and the public site alike."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from oversight.evidence import catalog
from oversight.evidence.enums import TargetType
from oversight.resolutions import service
from oversight.resolutions.schemas import PublicResolution


async def page(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[PublicResolution], str | None]:
    """Decided resolutions, newest first."""
    items, next_cursor = await service.page(
        session, None, decided_only=True, limit=limit, cursor=cursor
    )
    documents = await catalog.public_documents(
        session, TargetType.RESOLUTION, [item.id for item in items]
    )
    public = [
        PublicResolution.of(item).model_copy(update={"documents": documents[item.id]})
        for item in items
    ]
    return public, next_cursor


async def read(session: AsyncSession, resolution_id: uuid.UUID) -> PublicResolution:
    """One decided resolution (404 otherwise)."""
    found = PublicResolution.of(await service.read_public(session, resolution_id))
    documents = await catalog.public_documents(session, TargetType.RESOLUTION, [found.id])
    return found.model_copy(update={"documents": documents[found.id]})
