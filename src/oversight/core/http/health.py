from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text

from oversight.core.errors import ServiceUnavailable
from oversight.core.http.deps import SessionDep
from oversight.core.http.health_schemas import HealthOut, ReadinessOut
from oversight.core.migrations_info import head_revision

router = APIRouter(tags=["health"])


_UP = b'{"status":"ok"}'


@router.get("/healthz", name="live", response_model=HealthOut)
async def healthz() -> Response:
    """The process is up."""
    return Response(_UP, media_type="application/json")


@router.get("/readyz", name="ready", response_model=ReadinessOut)
async def readyz(session: SessionDep) -> ReadinessOut:
    """The database answers and its schema is at the newest migration."""
    current = await session.scalar(text("SELECT version_num FROM alembic_version"))
    if current != head_revision():
        raise ServiceUnavailable(f"The database is at migration {current}, not {head_revision()}.")
    return ReadinessOut(status="ready", database="ok", migration=current)
