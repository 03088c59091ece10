"""Early intervention's vocabulary."""

from __future__ import annotations

from enum import StrEnum


class Metric(StrEnum):
    """What a rule counts for each officer over its window (by when concerns were received)."""

    ALLEGATIONS = "allegations"
    USE_OF_FORCE_ALLEGATIONS = "use_of_force_allegations"
    SUSTAINED_FINDINGS = "sustained_findings"
    COMPLAINTS = "complaints"
    COMMENDATIONS = "commendations"


class FlagLevel(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


class FlagStatus(StrEnum):
    NEW = "new"
    REVIEWED = "reviewed"
    INTERVENTION = "intervention"
    CLOSED = "closed"


#: The categories a use-of-force rule counts.
USE_OF_FORCE_CATEGORIES = frozenset({"use_of_force"})
#: Whose counts make a unit's peers: officers not separated from the department.
PEER_STATUSES = frozenset({"active", "leave"})


def level_of(count: int, warning_at: int, critical_at: int, peer_fires: bool) -> FlagLevel | None:
    """Critical at the critical count; a warning at the warning count, or when the officer is
    at or above the rule's percentile of their unit's peers; otherwise none."""
    if count >= critical_at:
        return FlagLevel.CRITICAL
    if count >= warning_at or peer_fires:
        return FlagLevel.WARNING
    return None
