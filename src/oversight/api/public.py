from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from oversight.api.deps import SessionDep
from oversight.schemas import NoteOut, PublicConcernStatus, PublicNoteCreate
from oversight.services import notes, timeline

router = APIRouter(prefix="/public", tags=["public"])
TrackingCode = Annotated[
    str, Path(min_length=12, max_length=30, description="e.g. OC-7F3K-9QXM-2DPA")
]


@router.get("/concerns/{tracking_code}", response_model=PublicConcernStatus)
async def concern_status(tracking_code: TrackingCode, session: SessionDep) -> object:
    """Where a concern stands, for whoever holds its tracking code (case-insensitive)."""
    return await timeline.public_status(session, tracking_code)


@router.post(
    "/concerns/{tracking_code}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=NoteOut,
)
async def add_information(
    tracking_code: TrackingCode, body: PublicNoteCreate, session: SessionDep
) -> object:
    """Add information to a concern as its submitter (for anonymous submitters especially)."""
    return await notes.add_note_by_code(session, tracking_code, body.body)
