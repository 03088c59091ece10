"""Who administers accounts, departments, categories, webhooks, budgets, keys and the audit log."""

from __future__ import annotations

from enum import StrEnum

from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role


class AdminAction(StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_DEPARTMENTS = "manage_departments"
    MANAGE_CATEGORIES = "manage_categories"
    READ_DEPARTMENTS = "read_departments"
    READ_AUDIT = "read_audit"
    MANAGE_WEBHOOKS = "manage_webhooks"
    MANAGE_BUDGET = "manage_budget"
    MANAGE_OPEN311_KEYS = "manage_open311_keys"


ADMINISTRATION: dict[AdminAction, Grant] = {
    AdminAction.MANAGE_USERS: grant({ADMIN}, "Your role may not manage users."),
    AdminAction.MANAGE_DEPARTMENTS: grant({ADMIN}, "Your role may not manage departments."),
    AdminAction.MANAGE_CATEGORIES: grant({ADMIN}, "Your role may not manage categories."),
    AdminAction.MANAGE_WEBHOOKS: grant({ADMIN}, "Your role may not manage webhooks."),
    AdminAction.MANAGE_BUDGET: grant(
        {ADMIN}, "Your role may not import budgets or operational figures."
    ),
    AdminAction.MANAGE_OPEN311_KEYS: grant({ADMIN}, "Your role may not manage Open311 keys."),
    AdminAction.READ_DEPARTMENTS: grant(set(Role), "Your role may not read departments."),
    AdminAction.READ_AUDIT: grant({COMMISSIONER, ADMIN}, "Your role may not read audit."),
}


def administration(role: Role | None, action: AdminAction) -> Refusal:
    return decide(ADMINISTRATION, role, action)
