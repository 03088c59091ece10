"""Who may do what with the roster: admins keep it, commissioners and admins read it.
Linking an allegation to an officer is the concern's policy (``concerns.policy``). Officer
accounts and residents never see the roster, histories, rules or flags; they see the linked
officer on a concern they may see (``concerns.view``)."""

from __future__ import annotations

from enum import StrEnum

from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role


class RosterAction(StrEnum):
    READ = "read"
    WRITE = "write"
    HISTORY = "history"


ROSTER: dict[RosterAction, Grant] = {
    RosterAction.READ: grant({COMMISSIONER, ADMIN}, "Your role may not read the roster."),
    RosterAction.WRITE: grant({ADMIN}, "Only admins keep the roster."),
    RosterAction.HISTORY: grant({COMMISSIONER}, "Only commissioners read an officer's history."),
}


def roster(role: Role | None, action: RosterAction) -> Refusal:
    return decide(ROSTER, role, action)
