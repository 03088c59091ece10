"""The ``oversight`` command with the outbox switched off: the baseline of bench/outbox.py.

Only that benchmark runs this, to measure what writing deliveries costs an intake. It is not
importable from the app and never used outside the benchmark.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from oversight import outbox
from oversight.cli import main


def _nothing(connection: Connection, events: Sequence[Mapping[str, Any]]) -> None:
    return None


outbox.stage = _nothing

if __name__ == "__main__":
    main()
