"""What other areas may import from notifications: the locales messages are written in, and
whether an address receives them (``mail``: the site's account page sets it).

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"enums", "mail"})
