"""What other areas may import from voice: its enums and tables (for agendas and reports) and the
speakers' list of a meeting.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset(
    {
        "comment_schemas",
        "comments",
        "enums",
        "models",
        "proposal_schemas",
        "proposals",
        "speaker_schemas",
        "speakers",
    }
)
