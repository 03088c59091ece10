"""Attachments: adding a checked upload to what it is attached to (with an image's copy without
metadata), listing, reading, changing, withdrawing, and recording each signed-in download.
Services flush and never commit; the bytes are kept before the rows are written, so a store
that fails leaves nothing recorded."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns import timeline as concern_codes
from oversight.concerns import visibility as concern_sight
from oversight.concerns.enums import ConcernStatus
from oversight.concerns.models import Concern
from oversight.core import audit
from oversight.core.config import Settings
from oversight.core.errors import Conflict, NotFound, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import authorize, check_version, load_row, record_change
from oversight.core.roles import Actor
from oversight.evidence import copies, sniff
from oversight.evidence.enums import DEFAULT_VISIBILITY, AttachmentStatus, TargetType, Visibility
from oversight.evidence.models import Attachment
from oversight.evidence.policy import (
    SEES_EVERY_ATTACHMENT,
    EvidenceAction,
    adding,
    may,
    visibility_refused,
)
from oversight.evidence.schemas import AttachmentUpdate
from oversight.evidence.store import Store
from oversight.evidence.upload import Received
from oversight.evidence.visibility import attachments_visible_to, load
from oversight.meetings.models import AgendaItem, Meeting
from oversight.meetings.visibility import meetings_visible_to
from oversight.resolutions.models import Resolution
from oversight.resolutions.visibility import resolutions_visible_to

NO_CODE = "No concern has this tracking code."


@dataclass(frozen=True)
class TargetRef:
    """What an attachment goes on; ``meeting_id`` for an agenda item (its path's meeting)."""

    type: TargetType
    id: uuid.UUID
    meeting_id: uuid.UUID | None = None


async def check_target(
    session: AsyncSession, actor: Actor | None, target: TargetRef, *, adding_to: bool = False
) -> None:
    """404 unless the caller may see the target; with ``adding_to``, 403/409 unless they may
    attach to it now. Anonymous callers only read (adding by tracking code is ``by_code``)."""
    if target.type is TargetType.CONCERN:
        if actor is None:
            raise NotFound(concern_sight.NOT_FOUND)
        concern = await concern_sight.load(session, actor, target.id)
        if adding_to:
            authorize(may(actor.role, EvidenceAction.ADD_EVIDENCE))
            _open(concern)
        return
    if target.type is TargetType.RESOLUTION:
        await load_row(
            session,
            Resolution,
            target.id,
            missing="No such resolution.",
            visible=resolutions_visible_to(actor),
        )
    else:
        await load_row(
            session,
            Meeting,
            target.meeting_id or target.id,
            missing="No such meeting.",
            visible=meetings_visible_to(actor),
        )
        if target.type is TargetType.AGENDA_ITEM:
            item = await session.get(AgendaItem, target.id)
            if item is None or item.meeting_id != target.meeting_id:
                raise NotFound("No such agenda item on this meeting.")
    if adding_to:
        authorize(may(actor.role if actor else None, adding(target.type)))


def _open(concern: Concern) -> None:
    if concern.status == ConcernStatus.CLOSED:
        raise Conflict("The concern is closed: nothing more is attached to it.")


async def by_code(session: AsyncSession, code: str) -> TargetRef:
    """The concern a tracking code names, open for its submitter's evidence (404, 409)."""
    concern = await concern_codes.concern_by_code(session, code)
    if concern is None:
        raise NotFound(NO_CODE)
    _open(concern)
    return TargetRef(TargetType.CONCERN, concern.id)


@dataclass(frozen=True)
class _Copy:
    staged: Path
    sha256: str
    size: int
    media_type: str
    filename: str


async def _stripped_copy(received: Received, store: Store, settings: Settings) -> _Copy | None:
    """The copy without metadata, staged, of an image or a PDF (422 for an image too large to
    open); None for other types, and for a PDF that could not be copied."""
    if received.media_type not in copies.COPIED:
        return None
    staged = store.staged()
    try:
        media_type = await asyncio.to_thread(
            copies.stripped_copy,
            received.staged,
            received.media_type,
            staged,
            settings.image_max_pixels,
        )
        if media_type is None:
            return None
        digest, size = await asyncio.to_thread(_hash_file, staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    stem = received.filename.rpartition(".")[0] or received.filename
    return _Copy(staged, digest, size, media_type, f"{stem}.{sniff.EXTENSION_OF[media_type]}")


def _hash_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), path.stat().st_size


async def add(
    session: AsyncSession,
    actor: Actor | None,
    target: TargetRef,
    received: Received,
    *,
    store: Store,
    settings: Settings,
) -> dict[str, Any]:
    """Keep a checked upload and record it (with its copy, for an image). ``actor`` None: a
    submitter by tracking code (the target was checked by ``by_code``)."""
    try:
        if actor is not None:
            await check_target(session, actor, target, adding_to=True)
        copy = await _stripped_copy(received, store, settings)
    except BaseException:
        received.staged.unlink(missing_ok=True)
        raise
    try:
        await store.keep(received.staged, received.sha256)
        if copy is not None:
            await store.keep(copy.staged, copy.sha256)
    except BaseException:
        if copy is not None:
            copy.staged.unlink(missing_ok=True)
        raise
    visibility = DEFAULT_VISIBILITY[target.type]
    common = {
        "target_type": target.type,
        "target_id": target.id,
        "description": received.description,
        "visibility": visibility,
        "uploaded_by": actor.user_id if actor else None,
        "uploader_role": actor.role if actor else None,
        "uploader_department_id": actor.department_id if actor else None,
    }
    original = Attachment(
        filename=received.filename,
        media_type=received.media_type,
        size=received.size,
        sha256=received.sha256,
        needs_copy=received.media_type in copies.COPIED,
        status=AttachmentStatus.KEPT,
        version=1,
        **common,
    )
    rows = [original]
    if copy is not None:
        rows.append(
            Attachment(
                filename=copy.filename,
                media_type=copy.media_type,
                size=copy.size,
                sha256=copy.sha256,
                derived_from=original.id,
                needs_copy=False,
                status=AttachmentStatus.KEPT,
                version=1,
                **common,
            )
        )
    session.add_all(rows)
    await session.flush()
    for row in rows:
        await audit.record(
            session,
            actor=actor,
            action=AuditAction.ATTACHMENT_ADDED,
            entity_type=EntityType.ATTACHMENT,
            entity_id=row.id,
            data={
                "sha256": row.sha256,
                "size": row.size,
                "media_type": row.media_type,
                "target_type": row.target_type,
                "target_id": row.target_id,
                "derived_from": row.derived_from,
            },
        )
    return view(original, actor)


def view(row: Attachment, actor: Actor | None) -> dict[str, Any]:
    sees_account = actor is not None and (
        actor.role in SEES_EVERY_ATTACHMENT or actor.user_id == row.uploaded_by
    )
    return {
        "id": row.id,
        "target": {"type": row.target_type, "id": row.target_id},
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "description": row.description,
        "visibility": row.visibility,
        "derived_from": row.derived_from,
        "uploaded_by": {
            "role": row.uploader_role,
            "id": row.uploaded_by if sees_account else None,
        },
        "uploaded_at": row.uploaded_at,
        "status": row.status,
        "withdrawn_reason": row.withdrawn_reason,
        "version": row.version,
        "content_url": f"/api/v1/attachments/{row.id}/content",
    }


async def list_for(
    session: AsyncSession, actor: Actor | None, target: TargetRef
) -> list[dict[str, Any]]:
    """What the caller may see on a target they may see (404 otherwise), oldest first."""
    await check_target(session, actor, target)
    rows = await session.scalars(
        select(Attachment)
        .where(
            Attachment.target_type == target.type,
            Attachment.target_id == target.id,
            attachments_visible_to(actor),
        )
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return [view(row, actor) for row in rows]


async def _copies(session: AsyncSession, row: Attachment) -> list[Attachment]:
    found = await session.scalars(
        select(Attachment).where(Attachment.derived_from == row.id).with_for_update()
    )
    return list(found)


async def edit(
    session: AsyncSession,
    actor: Actor,
    attachment_id: uuid.UUID,
    if_match: str | None,
    body: AttachmentUpdate,
) -> dict[str, Any]:
    """A commissioner changes the visibility or description of an original (its copies
    follow)."""
    row = await load(session, actor, attachment_id, for_update=True)
    check_version(row, if_match)
    authorize(may(actor.role, EvidenceAction.EDIT))
    if row.derived_from is not None:
        raise Conflict("This is a copy: change the original, and its copies follow.")
    changes = body.model_dump(exclude_unset=True)
    if changes.get("visibility") is not None:
        refused = visibility_refused(TargetType(row.target_type), Visibility(changes["visibility"]))
        if refused is not None:
            raise Unprocessable(refused, loc=("body", "visibility"))
    elif "visibility" in changes:
        raise Unprocessable("visibility may not be null.", loc=("body", "visibility"))
    changed = {k: v for k, v in changes.items() if getattr(row, k) != v}
    for target in [row, *await _copies(session, row)]:
        for key, value in changed.items():
            setattr(target, key, value)
    await record_change(
        session,
        actor,
        row,
        EntityType.ATTACHMENT,
        AuditAction.ATTACHMENT_CHANGED,
        data={"changes": changed},
    )
    return view(row, actor)


async def withdraw(
    session: AsyncSession,
    actor: Actor,
    attachment_id: uuid.UUID,
    if_match: str | None,
    reason: str,
) -> dict[str, Any]:
    """A commissioner withdraws an original and its copies: hidden, the bytes kept, audited."""
    row = await load(session, actor, attachment_id, for_update=True)
    if if_match is not None:
        check_version(row, if_match)
    authorize(may(actor.role, EvidenceAction.WITHDRAW))
    if row.derived_from is not None:
        raise Conflict("This is a copy: withdraw the original, and its copies follow.")
    if row.status == AttachmentStatus.WITHDRAWN:
        raise Conflict("This attachment is withdrawn already.")
    for target in [row, *await _copies(session, row)]:
        target.status = AttachmentStatus.WITHDRAWN
        target.withdrawn_reason = reason
    await record_change(
        session,
        actor,
        row,
        EntityType.ATTACHMENT,
        AuditAction.ATTACHMENT_WITHDRAWN,
        reason=reason,
    )
    return view(row, actor)


async def downloaded(
    session: AsyncSession, actor: Actor, attachment_id: uuid.UUID, byte_range: str | None
) -> Attachment:
    """The attachment the signed-in caller downloads, the download recorded (the chain of
    custody: who, when, which bytes)."""
    row = await load(session, actor, attachment_id)
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.ATTACHMENT_DOWNLOADED,
        entity_type=EntityType.ATTACHMENT,
        entity_id=row.id,
        data={"sha256": row.sha256, "range": byte_range},
    )
    return row
