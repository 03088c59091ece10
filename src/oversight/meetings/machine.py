"""The meeting machine."""

from __future__ import annotations

from oversight.core.machine import Move, move
from oversight.core.roles import Role
from oversight.meetings.enums import MeetingStatus

COMMISSIONER, OFFICER, RESIDENT = Role.COMMISSIONER, Role.OFFICER, Role.RESIDENT

# The meeting machine.
MEETING_MOVES: tuple[Move, ...] = (
    move({MeetingStatus.SCHEDULED}, MeetingStatus.IN_SESSION, {COMMISSIONER}),
    move({MeetingStatus.IN_SESSION}, MeetingStatus.ADJOURNED, {COMMISSIONER}),
    move({MeetingStatus.SCHEDULED}, MeetingStatus.CANCELLED, {COMMISSIONER}, {"reason"}),
)
