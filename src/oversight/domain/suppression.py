"""Small-cell suppression for published counts, with complementary suppression.

Within one dimension (the cells of one ``by_*`` table), every count from 1 to ``threshold - 1``
is hidden. Hiding one cell alone is useless when the total is published (it is the total minus
the others), and two hidden cells holding 1 and 2 still tell a reader that each is tiny; so more
cells are hidden, smallest first, until either no cell is hidden, or at least two are and
together they hold at least ``threshold``. Zeros are published: hiding a zero protects nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Suppressed:
    cells: dict[str, int | None]
    #: Even hiding every non-zero cell could not reach the threshold: the dimension's total is
    #: itself a small count and must be hidden wherever it is published.
    total_too_small: bool


def suppress(cells: Mapping[str, int], threshold: int) -> Suppressed:
    hidden = {key for key, count in cells.items() if 0 < count < threshold}
    # Candidates for complementary suppression: the other non-zero cells, smallest first
    # (ties by key, so the same data always hides the same cells).
    spare = sorted(
        (key for key, count in cells.items() if count >= threshold), key=lambda k: (cells[k], k)
    )
    while hidden and (len(hidden) < 2 or sum(cells[k] for k in hidden) < threshold) and spare:
        hidden.add(spare.pop(0))
    total_too_small = bool(hidden) and sum(cells[k] for k in hidden) < threshold
    return Suppressed(
        cells={key: None if key in hidden else count for key, count in cells.items()},
        total_too_small=total_too_small,
    )
