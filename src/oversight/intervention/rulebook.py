"""The rulebook of early intervention: admins keep the rules, commissioners read them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core import audit
from oversight.core.errors import Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.resources import authorize, check_version, load_row, record_change
from oversight.core.roles import Actor
from oversight.intervention import policy
from oversight.intervention.models import Rule
from oversight.intervention.policy import InterventionAction
from oversight.intervention.schemas import RuleCreate, RuleUpdate
from oversight.intervention.visibility import rules_visible_to

FIELDS = (
    "id",
    "name",
    "metric",
    "window_days",
    "warning_at",
    "critical_at",
    "peer_percentile",
    "active",
    "version",
)


def view(rule: Rule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in FIELDS}


def _levels(warning_at: int, critical_at: int) -> None:
    if critical_at < warning_at:
        raise Unprocessable("critical_at may not be below warning_at.", loc=("body", "critical_at"))


async def list_rules(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    authorize(policy.intervention(actor.role, InterventionAction.READ_RULES))
    rules = await session.scalars(select(Rule).order_by(Rule.name, Rule.id))
    return [view(rule) for rule in rules]


async def create(session: AsyncSession, actor: Actor, data: RuleCreate) -> dict[str, Any]:
    authorize(policy.intervention(actor.role, InterventionAction.MANAGE_RULES))
    _levels(data.warning_at, data.critical_at)
    rule = Rule(**data.model_dump(), version=1)
    session.add(rule)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.INTERVENTION_RULE_CREATED,
        entity_type=EntityType.INTERVENTION_RULE,
        entity_id=rule.id,
        data=data.model_dump(),
    )
    return view(rule)


async def change(
    session: AsyncSession, actor: Actor, rule_id: uuid.UUID, if_match: str | None, data: RuleUpdate
) -> dict[str, Any]:
    rule = await load_row(
        session,
        Rule,
        rule_id,
        missing="No such rule.",
        visible=rules_visible_to(actor),
        for_update=True,
    )
    check_version(rule, if_match)
    authorize(policy.intervention(actor.role, InterventionAction.MANAGE_RULES))
    wanted = data.model_dump(exclude_unset=True)
    for name in ("name", "window_days", "warning_at", "critical_at", "active"):
        if name in wanted and wanted[name] is None:
            raise Unprocessable(f"{name} may not be null.", loc=("body", name))
    _levels(wanted.get("warning_at", rule.warning_at), wanted.get("critical_at", rule.critical_at))
    before = {k: getattr(rule, k) for k in wanted if getattr(rule, k) != wanted[k]}
    if before:
        for name in before:
            setattr(rule, name, wanted[name])
        await record_change(
            session,
            actor,
            rule,
            EntityType.INTERVENTION_RULE,
            AuditAction.INTERVENTION_RULE_CHANGED,
            data={"before": before, "after": {k: wanted[k] for k in before}},
        )
    return view(rule)
