"""The ``oversight`` command with the outbox switched off: the baseline of bench/outbox.py.

Only that benchmark runs this, to measure what writing deliveries costs an intake. It is not
importable from the app and never used outside the benchmark.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, text

from oversight import audit, outbox
from oversight.cli import main

#: Created by bench/outbox.py: ``audit_append`` as it was before the outbox (20261126_06).
WITHOUT_OUTBOX = "audit_append_without_outbox"


def _nothing(connection: Connection, events: Sequence[Mapping[str, Any]]) -> None:
    return None


outbox.stage = _nothing
audit._APPEND = text(f"SELECT {WITHOUT_OUTBOX}(:key, CAST(:events AS json))")

if __name__ == "__main__":
    main()
