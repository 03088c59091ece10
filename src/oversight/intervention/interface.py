"""What other areas may import from early intervention: nothing yet (it reads the roster and
the concerns' tables, and registers its own handlers and worker task).

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset()
