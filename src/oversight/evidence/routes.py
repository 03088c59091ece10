"""Attachments over HTTP: uploads streamed to the store (never a body held whole), lists by
target, one attachment, a commissioner's change and withdrawal, and the bytes (signed in: each
download recorded; public documents: immutable)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from starlette.requests import ClientDisconnect

from oversight.accounts.deps import CurrentActor, OptionalActor
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.engines import Reads
from oversight.core.errors import ProblemCode, Unprocessable
from oversight.core.http.deps import (
    DatabaseDep,
    IfMatch,
    SessionDep,
    SettingsDep,
    Storable,
    limited_by_ip,
)
from oversight.core.http.documentation import documented
from oversight.core.http.responses import json_response, tagged
from oversight.core.ratelimit import RateLimit
from oversight.core.roles import Actor
from oversight.evidence import delivery, service, upload
from oversight.evidence.enums import TargetType
from oversight.evidence.schemas import AttachmentOut, AttachmentUpdate, Withdrawal
from oversight.evidence.service import TargetRef
from oversight.evidence.store import Store
from oversight.evidence.visibility import load

router = APIRouter(tags=["evidence"])
public = APIRouter(prefix="/public", tags=["public"])

P = ProblemCode
_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "description": {"type": "string", "maxLength": 2000},
                    },
                }
            }
        },
    }
}
_FILE = {
    "description": "The bytes (the whole file, or the `Range` asked for: 206).",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}
#: What an upload may be refused for, besides what its dependencies answer.
UPLOAD_REFUSALS = (P.TOO_LARGE, P.UNSUPPORTED_MEDIA, P.MALWARE_FOUND, P.INVALID_INPUT, P.CONFLICT)
CONTENT = (P.RANGE_NOT_SATISFIABLE,)

TrackingCode = Annotated[
    str, Path(min_length=12, max_length=30, description="e.g. OC-7F3K-9QXM-2DPA"), Storable
]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=200)]
RangeHeader = Annotated[
    str | None, Header(alias="Range", max_length=200, description="e.g. `bytes=0-1023`.")
]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(_store)]


@dataclass
class Uploading:
    """What every upload route needs besides its target and caller."""

    request: Request
    database: Database
    settings: Settings
    store: Store

    async def take(
        self, actor: Actor | None, target: TargetRef | None, code: str | None = None
    ) -> Response:
        """Check the target (404/403/409 before a byte is read), stream the upload, then keep
        it and record it in a second transaction (none is open while the bytes arrive)."""
        async with self.database.unit_of_work(Reads.STATEMENTS) as session:
            if code is not None:
                target = await service.by_code(session, code)
            elif target is not None:
                await service.check_target(session, actor, target, adding_to=True)
        if target is None:
            raise RuntimeError("an upload needs a target or a tracking code")
        headers = self.request.headers
        try:
            received = await upload.receive(
                self.request.stream(),
                headers.get("content-type"),
                headers.get("content-length"),
                self.store,
                self.settings,
            )
        except ClientDisconnect as exc:
            raise Unprocessable("The upload was cut off before its end.") from exc
        async with self.database.unit_of_work() as session:
            if code is not None:
                target = await service.by_code(session, code)
            view = await service.add(
                session, actor, target, received, store=self.store, settings=self.settings
            )
        location = {"Location": f"/api/v1/attachments/{view['id']}"}
        return tagged(view, view["version"], 201, headers=location)


async def _uploading(
    request: Request, database: DatabaseDep, settings: SettingsDep, store: StoreDep
) -> Uploading:
    return Uploading(request, database, settings, store)


UploadingDep = Annotated[Uploading, Depends(_uploading)]


@router.post(
    "/concerns/{concern_id}/attachments",
    name="add_to_concern",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=_UPLOAD,
)
@documented(raises=UPLOAD_REFUSALS, located=True)
async def add_to_concern(
    concern_id: uuid.UUID,
    uploading: UploadingDep,
    actor: CurrentActor,
) -> Response:
    """Evidence for a concern (multipart: `file`, `description`): by its submitter until it is
    closed, a commissioner, or an officer account of the department it was referred to.
    Typed by its bytes, scanned when a scanner is configured, kept by its SHA-256; an image is
    kept as sent and with a copy without EXIF, XMP or GPS data (`derived_from`)."""
    target = TargetRef(TargetType.CONCERN, concern_id)
    return await uploading.take(actor, target)


@public.post(
    "/concerns/{tracking_code}/attachments",
    name="add_by_code",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=_UPLOAD,
    dependencies=[Depends(limited_by_ip(RateLimit.TRACKING_IP))],
)
@documented(raises=UPLOAD_REFUSALS, located=True)
async def add_by_code(
    tracking_code: TrackingCode,
    uploading: UploadingDep,
) -> Response:
    """Evidence from whoever holds the concern's tracking code (an anonymous submitter), until
    the concern is closed. It is not listed back here: the commission reads it."""
    return await uploading.take(None, None, tracking_code)


@router.post(
    "/meetings/{meeting_id}/attachments",
    name="add_to_meeting",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=_UPLOAD,
)
@documented(raises=UPLOAD_REFUSALS, located=True)
async def add_to_meeting(
    meeting_id: uuid.UUID,
    uploading: UploadingDep,
    actor: CurrentActor,
) -> Response:
    """A public document (an agenda packet, a report) on a meeting (commissioners)."""
    target = TargetRef(TargetType.MEETING, meeting_id)
    return await uploading.take(actor, target)


@router.post(
    "/meetings/{meeting_id}/agenda-items/{item_id}/attachments",
    name="add_to_agenda_item",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=_UPLOAD,
)
@documented(raises=UPLOAD_REFUSALS, located=True)
async def add_to_agenda_item(
    meeting_id: uuid.UUID,
    item_id: uuid.UUID,
    uploading: UploadingDep,
    actor: CurrentActor,
) -> Response:
    """A public document on one agenda item (commissioners)."""
    target = TargetRef(TargetType.AGENDA_ITEM, item_id, meeting_id)
    return await uploading.take(actor, target)


@router.post(
    "/resolutions/{resolution_id}/attachments",
    name="add_to_resolution",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=_UPLOAD,
)
@documented(raises=UPLOAD_REFUSALS, located=True)
async def add_to_resolution(
    resolution_id: uuid.UUID,
    uploading: UploadingDep,
    actor: CurrentActor,
) -> Response:
    """A public document on a resolution (commissioners)."""
    target = TargetRef(TargetType.RESOLUTION, resolution_id)
    return await uploading.take(actor, target)


@router.get(
    "/concerns/{concern_id}/attachments", name="concern", response_model=list[AttachmentOut]
)
@documented(every_role=True)
async def concern_attachments(
    concern_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """The concern's attachments the caller may read, oldest first."""
    target = TargetRef(TargetType.CONCERN, concern_id)
    return json_response(await service.list_for(session, actor, target))


@router.get(
    "/meetings/{meeting_id}/attachments", name="meeting", response_model=list[AttachmentOut]
)
async def meeting_attachments(
    meeting_id: uuid.UUID, session: SessionDep, actor: OptionalActor
) -> Response:
    """The meeting's documents the caller may read (anyone: the public ones)."""
    target = TargetRef(TargetType.MEETING, meeting_id)
    return json_response(await service.list_for(session, actor, target))


@router.get(
    "/meetings/{meeting_id}/agenda-items/{item_id}/attachments",
    name="agenda_item",
    response_model=list[AttachmentOut],
)
async def agenda_item_attachments(
    meeting_id: uuid.UUID, item_id: uuid.UUID, session: SessionDep, actor: OptionalActor
) -> Response:
    """The agenda item's documents the caller may read (anyone: the public ones)."""
    target = TargetRef(TargetType.AGENDA_ITEM, item_id, meeting_id)
    return json_response(await service.list_for(session, actor, target))


@router.get(
    "/resolutions/{resolution_id}/attachments",
    name="resolution",
    response_model=list[AttachmentOut],
)
async def resolution_attachments(
    resolution_id: uuid.UUID, session: SessionDep, actor: OptionalActor
) -> Response:
    """The resolution's documents the caller may read (anyone: the public ones)."""
    target = TargetRef(TargetType.RESOLUTION, resolution_id)
    return json_response(await service.list_for(session, actor, target))


@router.get("/attachments/{attachment_id}", name="read", response_model=AttachmentOut)
@documented(every_role=True)
async def read_attachment(
    attachment_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> Response:
    """One attachment the caller may read, with its `ETag`."""
    row = await load(session, actor, attachment_id)
    return tagged(service.view(row, actor), row.version)


@router.patch("/attachments/{attachment_id}", name="edit", response_model=AttachmentOut)
@documented(raises=(P.CONFLICT,))
async def edit_attachment(
    attachment_id: uuid.UUID,
    body: AttachmentUpdate,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Change `visibility` or `description` (commissioners, If-Match); an image's copies
    follow their original. A concern's evidence is never public."""
    view = await service.edit(session, actor, attachment_id, if_match, body)
    return tagged(view, view["version"])


@router.post(
    "/attachments/{attachment_id}/withdrawal", name="withdraw", response_model=AttachmentOut
)
@documented(raises=(P.CONFLICT,))
async def withdraw_attachment(
    attachment_id: uuid.UUID,
    body: Withdrawal,
    session: SessionDep,
    actor: CurrentActor,
    if_match: IfMatch = None,
) -> Response:
    """Withdraw an attachment with a public reason (commissioners): hidden from everyone but
    commissioners, its bytes kept, audited. Nothing is deleted through the API."""
    view = await service.withdraw(session, actor, attachment_id, if_match, body.reason)
    return tagged(view, view["version"])


@router.get(
    "/attachments/{attachment_id}/content",
    name="content",
    response_class=Response,
    responses={200: _FILE},
)
@documented(raises=CONTENT, every_role=True, download=True, ranged=True)
async def attachment_content(
    attachment_id: uuid.UUID,
    database: DatabaseDep,
    store: StoreDep,
    actor: CurrentActor,
    range_header: RangeHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The bytes, with `Repr-Digest` (SHA-256), a strong `ETag`, `Range` (206) and
    `Content-Disposition: attachment`. Each download is recorded in the audit log (who, when,
    which range): the chain of custody."""
    async with database.unit_of_work() as session:
        row = await service.downloaded(session, actor, attachment_id, range_header)
    return await delivery.content(store, row, range_header, if_none_match)


@public.get(
    "/attachments/{attachment_id}",
    name="attachment",
    response_class=Response,
    responses={200: _FILE},
)
@documented(raises=CONTENT, download=True, ranged=True)
async def public_attachment(
    attachment_id: uuid.UUID,
    session: SessionDep,
    store: StoreDep,
    range_header: RangeHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """A public document's bytes (an image's copy without metadata): content-addressed, so
    `Cache-Control: public, max-age=31536000, immutable`."""
    row = await load(session, None, attachment_id)
    return await delivery.content(store, row, range_header, if_none_match, delivery.IMMUTABLE)
