"""What other areas may import from concerns: its enums and table, intake (for Open311), the move
(for a meeting's cancellation), and the transition's shape.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset(
    {"enums", "intake", "models", "moves", "notes", "queue", "schemas", "timeline", "visibility"}
)
