"""The one ``Range`` a download answers (RFC 9110 14.1): ``bytes=first-last``, ``bytes=first-``
or ``bytes=-suffix``. Several ranges, another unit or a malformed header are ignored (the whole
representation, 200), as the RFC allows; a range starting past the end is unsatisfiable (416)."""

from __future__ import annotations

import re

_ONE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` with ``end`` exclusive, or None for the whole."""
    if not header:
        return None
    match = _ONE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size
    start = int(first)
    if start >= size:
        raise Unsatisfiable
    end = size if not last else min(int(last) + 1, size)
    if end <= start:
        return None  # last < first: invalid, ignored
    return start, end
