"""A flag's review: new -> reviewed -> intervention -> closed; a new or reviewed flag may be
closed directly, with a note saying why. Commissioners make every move; the evaluation raises
a flag again (back to new) when its count grows after review."""

from __future__ import annotations

from oversight.core.machine import Move, move
from oversight.core.roles import Role
from oversight.intervention.enums import FlagStatus

NEW, REVIEWED, INTERVENTION, CLOSED = FlagStatus
COMMISSIONER = Role.COMMISSIONER

FLAG_MOVES: tuple[Move, ...] = (
    move({NEW}, REVIEWED, {COMMISSIONER}),
    move({REVIEWED}, INTERVENTION, {COMMISSIONER}),
    move({INTERVENTION}, CLOSED, {COMMISSIONER}),
    move({NEW, REVIEWED}, CLOSED, {COMMISSIONER}, {"note"}),
)
