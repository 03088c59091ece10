"""Which roster officers a caller may see, as a query filter: commissioners and admins see the
roster; officer accounts and residents see none of it (a 404 by id, like a missing officer)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from oversight.core.roles import Actor, Role

SEES_THE_ROSTER = frozenset({Role.COMMISSIONER, Role.ADMIN})


def sees_the_roster(actor: Actor | None) -> bool:
    return actor is not None and actor.role in SEES_THE_ROSTER


def officers_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    return true() if sees_the_roster(actor) else false()
