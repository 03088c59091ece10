"""The roster's vocabulary."""

from __future__ import annotations

from enum import StrEnum


class OfficerStatus(StrEnum):
    ACTIVE = "active"
    LEAVE = "leave"
    SEPARATED = "separated"
