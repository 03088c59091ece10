"""Status machines as data, and the one mechanism that checks a move against them.

Each resource's machine is a tuple of :class:`Move` rows; a reader sees the whole machine on
one screen. ``check_move`` answers, in the contract's order: not a move from this status (409,
listing the moves from here), not this role's move (403), something the move needs is missing
(422). ``allowed`` is the same table filtered for a caller, never a second list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache

from oversight.domain.concerns import ConcernStatus
from oversight.domain.roles import Role

COMMISSIONER, OFFICER, RESIDENT = Role.COMMISSIONER, Role.OFFICER, Role.RESIDENT


# eq=False: moves are compared and hashed by identity, so that ``allowed``'s cache key (a
# whole machine) costs a pointer per move rather than a hash of every field.
@dataclass(frozen=True, eq=False)
class Move:
    source: frozenset[str]
    target: str
    roles: frozenset[Role]
    needs: frozenset[str] = frozenset()
    #: Made by another endpoint as a side effect (posting a response), not by ``/transitions``.
    via: str | None = None


def move(
    source: Iterable[str],
    target: str,
    roles: Iterable[Role],
    needs: Iterable[str] = (),
    via: str | None = None,
) -> Move:
    return Move(frozenset(source), target, frozenset(roles), frozenset(needs), via)


class NotAMove(Exception):
    def __init__(self, current: str, target: str, allowed: list[str]) -> None:
        super().__init__(f"cannot move from {current} to {target}")
        self.current, self.target, self.allowed = current, target, allowed


class NotYourMove(Exception):
    def __init__(self, role: Role, target: str) -> None:
        super().__init__(f"a {role} may not move this to {target}")


class Missing(Exception):
    def __init__(self, field: str, target: str) -> None:
        super().__init__(f"moving to {target} needs {field}")
        self.field = field


class ElsewhereMove(Exception):
    def __init__(self, target: str, via: str) -> None:
        super().__init__(f"{target} is reached by {via}, not by a transition")
        self.via = via


def moves_from(moves: Iterable[Move], current: str) -> list[Move]:
    return [m for m in moves if current in m.source]


def check_move(
    moves: Iterable[Move],
    current: str,
    target: str,
    role: Role,
    given: Collection[str],
    via: str | None = None,
) -> Move:
    here = moves_from(moves, current)
    found = next((m for m in here if m.target == target), None)
    if found is None:
        raise NotAMove(current, target, sorted({m.target for m in here}))
    if role not in found.roles:
        raise NotYourMove(role, target)
    if found.via != via:
        raise ElsewhereMove(target, found.via or "POST .../transitions")
    for field in sorted(found.needs):
        if field not in given:
            raise Missing(field, target)
    return found


@cache
def allowed(moves: tuple[Move, ...], current: str, role: Role) -> tuple[str, ...]:
    """Targets this role may reach from ``current`` through ``/transitions``."""
    return tuple(
        sorted({m.target for m in moves_from(moves, current) if role in m.roles and m.via is None})
    )


RESPONSES = "POST /concerns/{id}/responses"

# The concern machine (API.md, "The concern state machine"). Resident moves are the owner's:
# a resident can only ever act on a concern they can see, and they see only their own.
CONCERN_MOVES: tuple[Move, ...] = (
    move({"submitted"}, "triaged", {COMMISSIONER}),
    move({"submitted", "triaged"}, "dismissed", {COMMISSIONER}, {"reason"}),
    move({"submitted", "triaged", "referred"}, "withdrawn", {RESIDENT, COMMISSIONER}),
    move({"triaged", "responded", "under_review"}, "referred", {COMMISSIONER}, {"department_id"}),
    move({"referred"}, "under_review", {COMMISSIONER}, {"reason"}),
    move({"referred"}, "responded", {OFFICER}, {"response"}, via=RESPONSES),
    move({"triaged", "responded"}, "under_review", {COMMISSIONER}),
    move({"under_review"}, "scheduled", {COMMISSIONER}, {"meeting_id"}),
    move({"scheduled"}, "under_review", {COMMISSIONER}, {"reason"}),
    move({"under_review", "scheduled"}, "resolved", {COMMISSIONER}, {"disposition"}),
    move({"resolved"}, "closed", {COMMISSIONER}),
    move({"dismissed", "resolved", "closed"}, "under_review", {COMMISSIONER}, {"reason"}),
)

CONCERN_STATUSES = tuple(status.value for status in ConcernStatus)


# The meeting machine (API.md, "Meetings").
MEETING_MOVES: tuple[Move, ...] = (
    move({"scheduled"}, "in_session", {COMMISSIONER}),
    move({"in_session"}, "adjourned", {COMMISSIONER}),
    move({"scheduled"}, "cancelled", {COMMISSIONER}, {"reason"}),
)
MEETING_STATUSES = ("scheduled", "in_session", "adjourned", "cancelled")


DECISION = "POST /resolutions/{id}/decision"
CANCELLATION = "a meeting's cancellation"

# Resolutions (API.md, "Resolutions and recommendations").
RESOLUTION_MOVES: tuple[Move, ...] = (
    move({"draft"}, "proposed", {COMMISSIONER}, {"meeting_id"}),
    move({"draft", "proposed"}, "withdrawn", {COMMISSIONER}),
    move({"proposed"}, "adopted", {COMMISSIONER}, via=DECISION),
    move({"proposed"}, "rejected", {COMMISSIONER}, via=DECISION),
    move({"proposed"}, "draft", {COMMISSIONER}, via=CANCELLATION),
)
RESOLUTION_STATUSES = ("draft", "proposed", "adopted", "rejected", "withdrawn")

# A recommendation is answered by the department it is addressed to, once adopted.
RECOMMENDATION_MOVES: tuple[Move, ...] = (
    move({"pending"}, "accepted", {OFFICER}),
    move({"pending"}, "partially_accepted", {OFFICER}),
    move({"pending"}, "rejected", {OFFICER}),
    move({"pending", "accepted", "partially_accepted"}, "implemented", {OFFICER}),
    move({"accepted"}, "partially_accepted", {OFFICER}),
)
RECOMMENDATION_STATUSES = ("pending", "accepted", "partially_accepted", "rejected", "implemented")
