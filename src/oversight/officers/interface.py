"""What other areas may import from officers: the roster's table (concerns link allegations to
it, reports count by it), the ranking of likely matches for what a resident typed, and the
reference an allegation shows.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"candidates", "models", "schemas"})
