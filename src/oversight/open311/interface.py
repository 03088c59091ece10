"""What other areas may import from open311: nothing: Open311 is an adapter over the other areas.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({})
