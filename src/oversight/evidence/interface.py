"""What other areas may import from evidence: the public documents attached to a meeting, an
agenda item or a resolution (``catalog``), and their shape and target types, for those areas'
public views; receiving a form's file and keeping it with a concern (``upload``, ``service``),
for the site's concern form.

Another area imports only the modules named here (``tests/unit/test_structure.py``); the rest of the
package, and every name starting with ``_``, are its own."""

PUBLIC: frozenset[str] = frozenset({"catalog", "enums", "schemas", "service", "upload"})
