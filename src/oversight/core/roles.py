"""Roles, and the rule tying a role to a department. What each role may do is each
area's ``policy`` (``concerns.policy``, ``meetings.policy``, ...), built on ``core.policy``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    OFFICER = "officer"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role

#: Roles whose members belong to a department; only they may (and must) have one.
DEPARTMENT_ROLES = frozenset({OFFICER})


def department_rule_broken(role: Role, has_department: bool) -> str | None:
    """Why a role/department pair is inconsistent, or None when it is fine."""
    if role in DEPARTMENT_ROLES and not has_department:
        return f"a user with role {role} must belong to a department"
    if role not in DEPARTMENT_ROLES and has_department:
        return f"a user with role {role} does not belong to a department"
    return None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in user's id, role and department. Built once per request."""

    user_id: uuid.UUID
    role: Role
    department_id: uuid.UUID | None = None
    #: The sign-in the request's access token belongs to (None outside HTTP, e.g. the CLI).
    session_id: uuid.UUID | None = None
