"""Small-cell suppression for published counts about people's concerns.

Within one dimension (the cells of one ``by_*`` table), every count from 1 to ``threshold - 1``
is hidden. Hiding one cell alone is useless when the total is published (it is the total minus
the others), two hidden cells holding 1 and 2 still tell a reader that each is tiny, and hidden
cells that are all 1 can be read off the total as well (each is at least 1, as zeros are
published); so more cells are hidden, smallest first, until either no cell is hidden, or at
least two are, together they hold at least ``threshold``, and they are not all 1s. A hidden
cell then lies somewhere from 1 to (their sum - the others' 1s), never one value.

When even hiding every non-zero cell cannot reach that, the dimension cannot be published cell
by cell at all (``Suppressed.protected`` is false): ``publish`` pools it into one cell, and
``publish_series`` (whose keys are always listed, zeros included) hides every cell, zeros too.

What is public record anyway (meetings, resolutions, recommendations) is never suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: The key of a dimension's pooled cell, and of neighborhoods whose names are withheld.
WITHHELD = "suppressed"
#: The key of the cell of records where the dimension's value was not recorded.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Suppressed:
    cells: dict[str, int | None]
    #: The hidden cells (if any) protect each other; false when every non-zero cell is hidden
    #: and that is still not enough, so the dimension must not be published cell by cell.
    protected: bool


def _protects(counts: list[int], threshold: int) -> bool:
    total = sum(counts)
    return len(counts) >= 2 and total >= threshold and total > len(counts)


def suppress(cells: Mapping[str, int], threshold: int) -> Suppressed:
    hidden = {key for key, count in cells.items() if 0 < count < threshold}
    # Candidates for complementary suppression: the other non-zero cells, smallest first
    # (ties by key, so the same data always hides the same cells).
    spare = sorted(
        (key for key, count in cells.items() if count >= threshold), key=lambda k: (cells[k], k)
    )
    while hidden and not _protects([cells[k] for k in hidden], threshold) and spare:
        hidden.add(spare.pop(0))
    return Suppressed(
        cells={key: None if key in hidden else count for key, count in cells.items()},
        protected=not hidden or _protects([cells[k] for k in hidden], threshold),
    )


def small(count: int, threshold: int) -> int | None:
    """One count on its own: hidden from 1 to ``threshold - 1``."""
    return None if 0 < count < threshold else count


def publish(cells: Mapping[str, int], threshold: int) -> dict[str, int | None]:
    """A dimension that lists only the values that occur (kinds, categories, statuses, ...).
    When it cannot be protected cell by cell, it is published as one pooled cell."""
    result = suppress(cells, threshold)
    if result.protected:
        return result.cells
    return {WITHHELD: small(sum(cells.values()), threshold)}


def publish_series(cells: Mapping[str, int], threshold: int) -> dict[str, int | None]:
    """A dimension that lists every key, zeros included (the months of a period). When it
    cannot be protected cell by cell, every cell is hidden: a zero shown beside hidden cells
    would tell which keys hold the few records."""
    result = suppress(cells, threshold)
    return result.cells if result.protected else dict.fromkeys(cells)


def withhold_small_places(cells: Mapping[str, int], threshold: int) -> dict[str, int]:
    """Places typed in by residents: a name with fewer than ``threshold`` records is never
    published; such places are pooled under ``WITHHELD``."""
    named = {place: n for place, n in cells.items() if n >= threshold}
    few = sum(n for n in cells.values() if n < threshold)
    return named | {WITHHELD: few} if few else named
