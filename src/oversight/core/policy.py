"""Who may do what: one pure policy per resource, as tables a reader checks at a glance.

A policy answers role x action x (the resource's state, the caller's relation to it) with
``None`` (allowed) or the reason it is refused. Services ask it at one point, after loading the
resource (404 when the caller may not see it at all) and checking its version (428/412), and
raise the reason as a 403 with ``core.resources.authorize``. What the caller may *see* (rows,
fields, notes, timeline entries) is policy too, and lives in each area's ``policy`` beside what
they may *do*; the status machines (each area's ``machine``, checked by ``core.machine``) say
which role makes which move.

``role`` is ``None`` for an anonymous caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from oversight.core.roles import Role

#: None when allowed; otherwise why not, in words the caller is shown.
Refusal = str | None


@dataclass(frozen=True)
class Grant:
    """The roles an action is granted to, and what everyone else is told."""

    roles: frozenset[Role]
    refused: str
    anonymous: bool = False

    def check(self, role: Role | None) -> Refusal:
        if role is None:
            return None if self.anonymous else self.refused
        return None if role in self.roles else self.refused


def grant(roles: set[Role], refused: str, *, anonymous: bool = False) -> Grant:
    return Grant(frozenset(roles), refused, anonymous)


A = TypeVar("A", bound=StrEnum)


def decide(grants: Mapping[A, Grant], role: Role | None, action: A) -> Refusal:
    return grants[action].check(role)
