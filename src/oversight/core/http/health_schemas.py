"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReplicaOut(BaseModel):
    ok: bool = Field(description="Whether anonymous public reads go to the replica now.")
    lag_seconds: float | None = Field(
        description="How far behind the primary it was at this check (null: unreachable)."
    )
    reason: str | None = Field(None, description="Why it is skipped, when it is.")


class ReadinessOut(BaseModel):
    status: Literal["ready"]
    database: Literal["ok"]
    migration: str
    replica: ReplicaOut | None = Field(
        None, description="The read replica (`OVERSIGHT_REPLICA_URL`), when there is one."
    )
