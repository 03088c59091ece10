"""What other areas may import from accounts: the caller of a request (``deps``), the administration
policy, the account and directory tables other areas join to, and the e-mail and category shapes
their requests reuse.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset(
    {"auth", "deps", "directory", "directory_schemas", "models", "policy", "schemas", "service"}
)
