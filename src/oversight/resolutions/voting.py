"""Recorded votes and the commission's decision rule, with no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    RECUSED = "recused"


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    recused: int
    absent: int


def tally(
    votes: Mapping[uuid.UUID, Choice],
    present: Collection[uuid.UUID],
    active: Collection[uuid.UUID],
) -> Tally:
    """Count the votes cast; ``absent`` is the active commissioners not marked present."""
    counts = dict.fromkeys(Choice, 0)
    for choice in votes.values():
        counts[choice] += 1
    return Tally(
        yes=counts[Choice.YES],
        no=counts[Choice.NO],
        abstain=counts[Choice.ABSTAIN],
        recused=counts[Choice.RECUSED],
        absent=len(set(active) - set(present)),
    )


def has_quorum(present: Collection[uuid.UUID], active: Collection[uuid.UUID]) -> bool:
    """A majority of the active commissioners is present (a recused member is present)."""
    return len(set(present) & set(active)) * 2 > len(set(active))


def decide(
    votes: Mapping[uuid.UUID, Choice],
    present: Collection[uuid.UUID],
    active: Collection[uuid.UUID],
) -> tuple[str, Tally]:
    """``adopted`` when a quorum is present and yes outnumbers no; otherwise ``rejected``."""
    counted = tally(votes, present, active)
    adopted = has_quorum(present, active) and counted.yes > counted.no
    return ("adopted" if adopted else "rejected"), counted
