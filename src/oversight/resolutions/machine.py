"""The resolution and recommendation machines."""

from __future__ import annotations

from oversight.core.machine import CANCELLATION, Move, move
from oversight.core.roles import Role
from oversight.resolutions.enums import RecommendationStatus, ResolutionStatus

COMMISSIONER, OFFICER, RESIDENT = Role.COMMISSIONER, Role.OFFICER, Role.RESIDENT

DECISION = "POST /resolutions/{id}/decision"

DRAFT, PROPOSED, ADOPTED, REJECTED, RESOLUTION_WITHDRAWN = ResolutionStatus

# The resolution machine.
RESOLUTION_MOVES: tuple[Move, ...] = (
    move({DRAFT}, PROPOSED, {COMMISSIONER}, {"meeting_id"}),
    move({DRAFT, PROPOSED}, RESOLUTION_WITHDRAWN, {COMMISSIONER}),
    move({PROPOSED}, ADOPTED, {COMMISSIONER}, via=DECISION),
    move({PROPOSED}, REJECTED, {COMMISSIONER}, via=DECISION),
    move({PROPOSED}, DRAFT, {COMMISSIONER}, via=CANCELLATION),
)

PENDING, ACCEPTED, PARTIALLY_ACCEPTED, DECLINED, IMPLEMENTED = RecommendationStatus

# A recommendation is answered by the department it is addressed to, once adopted.
RECOMMENDATION_MOVES: tuple[Move, ...] = (
    move({PENDING}, ACCEPTED, {OFFICER}),
    move({PENDING}, PARTIALLY_ACCEPTED, {OFFICER}),
    move({PENDING}, DECLINED, {OFFICER}),
    move({PENDING, ACCEPTED, PARTIALLY_ACCEPTED}, IMPLEMENTED, {OFFICER}),
    move({ACCEPTED}, PARTIALLY_ACCEPTED, {OFFICER}),
)
