"""Which flags a caller may see, as a query filter: commissioners see every flag, nobody else
sees any (a 404 by id, like a missing flag)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from oversight.core.roles import Actor, Role


def flags_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    return true() if actor is not None and actor.role == Role.COMMISSIONER else false()


def rules_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    seen = actor is not None and actor.role in (Role.COMMISSIONER, Role.ADMIN)
    return true() if seen else false()
