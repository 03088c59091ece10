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

from oversight.core.roles import Role

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


#: A meeting's cancellation moves what was on its agenda back (``via`` of those moves).
CANCELLATION = "a meeting's cancellation"
