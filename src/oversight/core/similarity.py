"""Trigram similarity of two strings, as PostgreSQL's ``pg_trgm`` computes it.

PostgreSQL answers ``similarity(a, b)`` from the extension; SQLite has no such function, so this
one is registered on every SQLite connection (``core.db``) and both databases rank the same
names the same way. pg_trgm lowercases, splits into words of letters and digits, pads each word
with two spaces before and one after, and compares the sets of three-character runs: shared
trigrams over all trigrams. No maintained library computes pg_trgm's exact figure (rapidfuzz's
ratios weigh edits, not trigrams), hence these few lines; ``tests/officers`` checks them against
PostgreSQL's.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
#: The similarity at or above which a name matches a search (pg_trgm's default threshold).
MATCHES_AT = 0.3


@lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[str]:
    found: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


def similarity(left: str | None, right: str | None) -> float:
    """Shared trigrams over all the trigrams of either; 0.0 when either has none (or is NULL)."""
    if left is None or right is None:
        return 0.0
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
