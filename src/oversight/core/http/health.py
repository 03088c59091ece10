from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text

from oversight.core.errors import ServiceUnavailable
from oversight.core.http.deps import DatabaseDep, SessionDep
from oversight.core.http.health_schemas import HealthOut, ReadinessOut, ReplicaOut
from oversight.core.migrations_info import head_revision

router = APIRouter(tags=["health"])


_UP = b'{"status":"ok"}'


@router.get("/healthz", name="live", response_model=HealthOut)
async def healthz() -> Response:
    """The process is up."""
    return Response(_UP, media_type="application/json")


@router.get("/readyz", name="ready", response_model=ReadinessOut)
async def readyz(session: SessionDep, database: DatabaseDep) -> ReadinessOut:
    """The database answers and its schema is at the newest migration; and the read replica,
    where there is one, as checked now (a replica that is skipped leaves the service ready:
    the primary answers its reads)."""
    current = await session.scalar(text("SELECT version_num FROM alembic_version"))
    if current != head_revision():
        raise ServiceUnavailable(f"The database is at migration {current}, not {head_revision()}.")
    ready = ReadinessOut(status="ready", database="ok", migration=current)
    if (replica := database.replica) is not None:
        await replica.check()
        ready.replica = ReplicaOut(
            ok=replica.ok, lag_seconds=replica.lag_seconds, reason=replica.reason or None
        )
    return ready
