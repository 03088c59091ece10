"""Who reads and manages meetings."""

from __future__ import annotations

from enum import StrEnum

from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role


class MeetingAction(StrEnum):
    READ = "read"
    MANAGE = "manage"


MEETINGS: dict[MeetingAction, Grant] = {
    MeetingAction.READ: grant(
        {COMMISSIONER, ADMIN}, "Meetings are managed by the commission; see /public/meetings."
    ),
    MeetingAction.MANAGE: grant({COMMISSIONER}, "Only commissioners manage meetings."),
}


def meetings(role: Role | None, action: MeetingAction) -> Refusal:
    return decide(MEETINGS, role, action)
