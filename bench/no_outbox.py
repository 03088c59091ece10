"""The ``oversight`` command with the outbox switched off: the baseline of bench/outbox.py.

Only that benchmark runs this, to measure what writing deliveries costs an intake. It is not
importable from the app and never used outside the benchmark.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, BigInteger, Connection, Text, bindparam, cast, func, select

from oversight.cli import main
from oversight.concerns import intake
from oversight.core import audit
from oversight.notifications import outbox

#: Created by bench/outbox.py: ``audit_append`` as it was before the outbox (20261126_06), and
#: ``concern_submit`` calling it.
WITHOUT_OUTBOX = "audit_append_without_outbox"
SUBMIT_WITHOUT_OUTBOX = "concern_submit_without_outbox"


def _nothing(connection: Connection, events: Sequence[Mapping[str, Any]]) -> None:
    return None


_KEY = bindparam("audit_key", type_=BigInteger)
_EVENTS = cast(bindparam("audit_events", type_=Text), JSON)
outbox.stage = _nothing
audit.APPEND = select(getattr(func, WITHOUT_OUTBOX)(_KEY, _EVENTS))
intake._SUBMIT = select(
    getattr(func, SUBMIT_WITHOUT_OUTBOX)(
        cast(bindparam("concern", type_=Text), JSON), _KEY, _EVENTS
    ).label("written")
)

if __name__ == "__main__":
    main()
