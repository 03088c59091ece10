"""Resolution vocabulary: a resolution's status and its recommendations' status."""

from __future__ import annotations

from enum import StrEnum


class ResolutionStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: A decided resolution: published, no longer edited or voted.
DECIDED = (ResolutionStatus.ADOPTED, ResolutionStatus.REJECTED)


class RecommendationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    IMPLEMENTED = "implemented"
