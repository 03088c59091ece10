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
from oversight.domain.meetings import MeetingStatus
from oversight.domain.resolutions import RecommendationStatus, ResolutionStatus
from oversight.domain.roles import Role
from oversight.domain.voice import CommentStatus, ProposalStatus

COMMISSIONER, OFFICER, RESIDENT = Role.COMMISSIONER, Role.OFFICER, Role.RESIDENT


# eq=False: moves are compared and hashed by identity, so that ``allowed``'s cache key (a
# whole machine) costs a pointer per move rather than a hash of every field.
#: Fields every move may carry: why, for the log, and a note for the public.
ANY_MOVE = frozenset({"reason", "public_note"})


@dataclass(frozen=True, eq=False)
class Move:
    source: frozenset[str]
    target: str
    roles: frozenset[Role]
    #: Fields the request must carry.
    needs: frozenset[str] = frozenset()
    #: Fields of a transition request that only this move may carry (what it ``needs`` but
    #: ``ANY_MOVE``'s, and what it may be given); a request carrying one that belongs to another
    #: move only is refused (``stray_fields``).
    takes: frozenset[str] = frozenset()
    #: Made by another endpoint as a side effect (posting a response), not by ``/transitions``.
    via: str | None = None


def move(
    source: Iterable[str],
    target: str,
    roles: Iterable[Role],
    needs: Iterable[str] = (),
    *,
    takes: Iterable[str] = (),
    via: str | None = None,
) -> Move:
    needed = frozenset(needs)
    taken = (needed - ANY_MOVE) | set(takes)
    return Move(frozenset(source), target, frozenset(roles), needed, taken, via)


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
    # The same step may be a move of its own through another endpoint (``via``): that one.
    to_target = [m for m in here if m.target == target]
    found = next((m for m in to_target if m.via == via), next(iter(to_target), None))
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


def stray_fields(moves: Iterable[Move], found: Move, given: Collection[str]) -> list[str]:
    """Fields given that some move of the machine takes, but not this one."""
    optional = set().union(*(m.takes for m in moves))
    return sorted((optional - found.takes) & set(given))


@cache
@cache
def allowed(moves: tuple[Move, ...], current: str, role: Role) -> tuple[str, ...]:
    """Targets this role may reach from ``current`` through ``/transitions``, as plain strings
    (every view lists them; pydantic writes an enum member several times slower than a str)."""
    targets = {m.target for m in moves_from(moves, current) if role in m.roles and m.via is None}
    return tuple(sorted(str(target) for target in targets))


RESPONSES = "POST /concerns/{id}/responses"
CANCELLATION = "a meeting's cancellation"

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


# The meeting machine.
MEETING_MOVES: tuple[Move, ...] = (
    move({MeetingStatus.SCHEDULED}, MeetingStatus.IN_SESSION, {COMMISSIONER}),
    move({MeetingStatus.IN_SESSION}, MeetingStatus.ADJOURNED, {COMMISSIONER}),
    move({MeetingStatus.SCHEDULED}, MeetingStatus.CANCELLED, {COMMISSIONER}, {"reason"}),
)


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


MODERATION = "POST /comments/{id}/moderation"
SUPPORTS = "PUT /proposals/{id}/support"

# A comment's moderation: pending ones are published or hidden; a published one may be hidden;
# hidden is final (the body is never served publicly again).
COMMENT_MOVES: tuple[Move, ...] = (
    move({CommentStatus.PENDING}, CommentStatus.PUBLISHED, {COMMISSIONER}, via=MODERATION),
    move(
        {CommentStatus.PENDING, CommentStatus.PUBLISHED},
        CommentStatus.HIDDEN,
        {COMMISSIONER},
        {"reason"},
        via=MODERATION,
    ),
)

# A proposal qualifies when its supports reach the threshold (the service itself makes that
# move, as the `system` actor); commissioners answer it; its author may withdraw it while open.
PROPOSAL_MOVES: tuple[Move, ...] = (
    move({ProposalStatus.OPEN}, ProposalStatus.QUALIFIED, {RESIDENT}, via=SUPPORTS),
    move(
        {ProposalStatus.OPEN, ProposalStatus.QUALIFIED},
        ProposalStatus.ACCEPTED,
        {COMMISSIONER},
        {"reason"},
        takes={"resolution_id"},
    ),
    move(
        {ProposalStatus.OPEN, ProposalStatus.QUALIFIED},
        ProposalStatus.DECLINED,
        {COMMISSIONER},
        {"reason"},
    ),
    move({ProposalStatus.OPEN}, ProposalStatus.WITHDRAWN, {RESIDENT}),
)
