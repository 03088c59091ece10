"""Who may do what in early intervention: admins keep the rules, commissioners read them and
review the flags. Officer accounts and residents see none of it."""

from __future__ import annotations

from enum import StrEnum

from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role


class InterventionAction(StrEnum):
    READ_RULES = "read_rules"
    MANAGE_RULES = "manage_rules"
    READ_FLAGS = "read_flags"


INTERVENTION: dict[InterventionAction, Grant] = {
    InterventionAction.READ_RULES: grant(
        {COMMISSIONER, ADMIN}, "Your role may not read early-intervention rules."
    ),
    InterventionAction.MANAGE_RULES: grant({ADMIN}, "Only admins keep early-intervention rules."),
    InterventionAction.READ_FLAGS: grant(
        {COMMISSIONER}, "Only commissioners review early-intervention flags."
    ),
}


def intervention(role: Role | None, action: InterventionAction) -> Refusal:
    return decide(INTERVENTION, role, action)
