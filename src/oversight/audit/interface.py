"""What other areas may import from audit: the tree, whose latest checkpoint reports name. The
audit log is written through ``core.audit`` and read through its routes.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"tree"})
