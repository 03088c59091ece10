from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from oversight.api.deps import SessionDep
from oversight.errors import ServiceUnavailable
from oversight.migrations_info import head_revision
from oversight.schemas import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness)
async def readyz(session: SessionDep) -> Readiness:
    """The database answers and its schema is at the newest migration."""
    current = await session.scalar(text("SELECT version_num FROM alembic_version"))
    if current != head_revision():
        raise ServiceUnavailable(f"The database is at migration {current}, not {head_revision()}.")
    return Readiness(status="ready", database="ok", migration=current)
