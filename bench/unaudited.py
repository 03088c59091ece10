"""The ``oversight`` command with the audit append switched off: the benchmark's baseline.

Only ``bench/audit_throughput.py`` runs this, to measure what the chain costs. It is not
importable from the app and never used outside the benchmark.
"""

from sqlalchemy import event

from oversight.cli import main
from oversight.core import audit
from oversight.core.engines import OversightSession

event.remove(OversightSession, "before_commit", audit._append_staged)

if __name__ == "__main__":
    main()
