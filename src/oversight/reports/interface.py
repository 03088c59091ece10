"""What other areas may import from reports: the report formats and their negotiation.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"formats", "schemas", "summary"})
