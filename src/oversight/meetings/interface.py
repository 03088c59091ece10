"""What other areas may import from meetings: the agenda (what a concern or resolution is scheduled
on), and its enums, table and visibility.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"agenda", "enums", "models", "public", "visibility"})
