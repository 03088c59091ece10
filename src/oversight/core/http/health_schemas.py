"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
)


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadinessOut(BaseModel):
    status: Literal["ready"]
    database: Literal["ok"]
    migration: str
