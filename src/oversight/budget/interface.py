"""What other areas may import from budget: the budget's tables, rules and its view of the year, for
the public report and for comments on budget lines.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"models", "rules", "service"})
