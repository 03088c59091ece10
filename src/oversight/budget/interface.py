"""What other areas may import from budget: the budget's tables and rules for the public report and
comments on budget lines, and the public operations view.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"models", "rules", "schemas", "service"})
