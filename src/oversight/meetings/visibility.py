"""Which meetings a caller may read, as a query filter."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from oversight.core.roles import Actor


def meetings_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """Every meeting is public from the moment it is scheduled (``/public/meetings``, the
    calendar feed, whose SEQUENCE is its version): meetings have no unpublished state, so no
    meeting is hidden from anyone. What non-staff may not do with one is the policy's 403."""
    return true()
