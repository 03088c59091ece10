"""Public documents, as the public views of meetings, agenda items and resolutions list them."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.evidence.enums import TargetType
from oversight.evidence.models import Attachment
from oversight.evidence.visibility import attachments_visible_to


def public_view(row: Attachment) -> dict[str, Any]:
    return {
        "id": row.id,
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "description": row.description,
        "uploaded_at": row.uploaded_at,
        "url": f"/api/v1/public/attachments/{row.id}",
    }


async def public_documents(
    session: AsyncSession, target: TargetType, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each target's public documents (copies without metadata for images), oldest first."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = {target_id: [] for target_id in ids}
    if not ids:
        return found
    rows = await session.scalars(
        select(Attachment)
        .where(
            Attachment.target_type == target,
            Attachment.target_id.in_(list(ids)),
            attachments_visible_to(None),
        )
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    for row in rows:
        found[row.target_id].append(public_view(row))
    return found
