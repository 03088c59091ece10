"""The concern machine: which role moves a concern from which status to which."""

from __future__ import annotations

from oversight.concerns.enums import ConcernStatus
from oversight.core.machine import CANCELLATION, Move, move
from oversight.core.roles import Role

COMMISSIONER, OFFICER, RESIDENT = Role.COMMISSIONER, Role.OFFICER, Role.RESIDENT

RESPONSES = "POST /concerns/{id}/responses"

(
    SUBMITTED,
    TRIAGED,
    DISMISSED,
    WITHDRAWN,
    REFERRED,
    RESPONDED,
    UNDER_REVIEW,
    SCHEDULED,
    RESOLVED,
    CLOSED,
) = ConcernStatus

# The concern machine. Resident moves are the owner's:
# a resident can only ever act on a concern they can see, and they see only their own.
CONCERN_MOVES: tuple[Move, ...] = (
    move({SUBMITTED}, TRIAGED, {COMMISSIONER}),
    move({SUBMITTED, TRIAGED}, DISMISSED, {COMMISSIONER}, {"reason"}),
    move({SUBMITTED, TRIAGED, REFERRED}, WITHDRAWN, {RESIDENT, COMMISSIONER}),
    move(
        {TRIAGED, RESPONDED, UNDER_REVIEW},
        REFERRED,
        {COMMISSIONER},
        {"department_id"},
        takes={"response_due_at"},
    ),
    move({REFERRED}, UNDER_REVIEW, {COMMISSIONER}, {"reason"}),
    move({REFERRED}, RESPONDED, {OFFICER}, {"response"}, via=RESPONSES),
    move({TRIAGED, RESPONDED}, UNDER_REVIEW, {COMMISSIONER}),
    move({UNDER_REVIEW}, SCHEDULED, {COMMISSIONER}, {"meeting_id"}),
    move({SCHEDULED}, UNDER_REVIEW, {COMMISSIONER}, {"reason"}),
    # Its meeting cancelled: the commissioner's cancellation makes this move for each concern
    # scheduled on it (as it moves its proposed resolutions back to draft).
    move({SCHEDULED}, UNDER_REVIEW, {COMMISSIONER}, {"reason", "meeting_id"}, via=CANCELLATION),
    move({UNDER_REVIEW, SCHEDULED}, RESOLVED, {COMMISSIONER}, {"disposition"}, takes={"findings"}),
    move({RESOLVED}, CLOSED, {COMMISSIONER}),
    move({DISMISSED, RESOLVED, CLOSED}, UNDER_REVIEW, {COMMISSIONER}, {"reason"}),
)
