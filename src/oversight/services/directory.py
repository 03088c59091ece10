"""Reference data: the police service's departments and the concern category taxonomy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight import audit
from oversight.domain import policies
from oversight.domain.events import AuditAction, EntityType
from oversight.domain.policies import AdminAction
from oversight.domain.roles import Actor
from oversight.errors import Conflict
from oversight.models import Category, Department
from oversight.schemas.directory import CategoryCreate, DepartmentCreate
from oversight.services.common import authorize


def _may(actor: Actor | None, action: AdminAction) -> None:
    """``actor`` None is the operator at the command line, who may do all of this."""
    if actor is not None:
        authorize(policies.administration(actor.role, action))


async def list_departments(session: AsyncSession, actor: Actor) -> list[Department]:
    _may(actor, AdminAction.READ_DEPARTMENTS)
    return list((await session.scalars(select(Department).order_by(Department.code))).all())


async def create_department(
    session: AsyncSession, actor: Actor | None, data: DepartmentCreate
) -> Department:
    _may(actor, AdminAction.MANAGE_DEPARTMENTS)
    if await session.scalar(select(Department.id).where(Department.code == data.code)):
        raise Conflict(f"Department {data.code} already exists.")
    department = Department(code=data.code, name=data.name)
    session.add(department)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.DEPARTMENT_CREATED,
        entity_type=EntityType.DEPARTMENT,
        entity_id=department.id,
        data={"code": department.code, "name": department.name},
    )
    return department


async def list_categories(session: AsyncSession) -> list[Category]:
    return list((await session.scalars(select(Category).order_by(Category.code))).all())


async def create_category(
    session: AsyncSession, actor: Actor | None, data: CategoryCreate
) -> Category:
    _may(actor, AdminAction.MANAGE_CATEGORIES)
    if await session.get(Category, data.code):
        raise Conflict(f"Category {data.code} already exists.")
    category = Category(code=data.code, label=data.label, active=data.active)
    session.add(category)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.CATEGORY_CREATED,
        entity_type=EntityType.CATEGORY,
        entity_id=None,
        data={"code": category.code, "label": category.label, "active": category.active},
    )
    return category
