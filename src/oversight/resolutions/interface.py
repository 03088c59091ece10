"""What other areas may import from resolutions: its enums, tables, machine, policy and visibility
(for agendas, votes and comments on resolutions), and the vote rules.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset(
    {
        "enums",
        "machine",
        "models",
        "policy",
        "public",
        "recommendations",
        "schemas",
        "visibility",
        "voting",
    }
)
