"""What other areas may import from notifications: the message locales and kinds, and the
unsubscribe pages' mail and messages.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"enums", "mail", "messages", "schemas"})
