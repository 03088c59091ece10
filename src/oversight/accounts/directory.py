"""Reference data: the police service's departments and the concern category taxonomy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts import policy as account_policy
from oversight.accounts.directory_schemas import CategoryCreate, DepartmentCreate
from oversight.accounts.models import Category, Department, User
from oversight.accounts.policy import AdminAction
from oversight.core import audit
from oversight.core.errors import Conflict, ProblemCode
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import KeysetPage, SortKey, keyset_page
from oversight.core.resources import authorize
from oversight.core.roles import Actor, Role


def _may(actor: Actor | None, action: AdminAction) -> None:
    """``actor`` None is the operator at the command line, who may do all of this."""
    if actor is not None:
        authorize(account_policy.administration(actor.role, action))


_BY_CODE = (SortKey(Department.code), SortKey(Department.id))
_CATEGORIES_BY_CODE = (SortKey(Category.code),)
_BY_NAME = (SortKey(User.display_name), SortKey(User.id))


async def list_departments(
    session: AsyncSession, actor: Actor | None, *, limit: int, cursor: str | None
) -> KeysetPage:
    """Departments by code; ``actor`` None is the public list (the same three fields)."""
    if actor is not None:
        _may(actor, AdminAction.READ_DEPARTMENTS)
    return await keyset_page(session, select(Department), _BY_CODE, limit=limit, cursor=cursor)


async def list_commissioners(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> KeysetPage:
    """Every commissioner account, by name: public officials, so public (no e-mail)."""
    columns: tuple[Any, ...] = (User.id, User.display_name, User.is_active.label("active"))
    stmt = select(*columns).where(User.role == Role.COMMISSIONER)
    return await keyset_page(session, stmt, _BY_NAME, limit=limit, cursor=cursor, columns=True)


async def create_department(
    session: AsyncSession, actor: Actor | None, data: DepartmentCreate
) -> Department:
    _may(actor, AdminAction.MANAGE_DEPARTMENTS)
    if await session.scalar(select(Department.id).where(Department.code == data.code)):
        raise Conflict(f"Department {data.code} already exists.", code=ProblemCode.ALREADY_EXISTS)
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


async def list_categories(session: AsyncSession, *, limit: int, cursor: str | None) -> KeysetPage:
    return await keyset_page(
        session, select(Category), _CATEGORIES_BY_CODE, limit=limit, cursor=cursor
    )


async def create_category(
    session: AsyncSession, actor: Actor | None, data: CategoryCreate
) -> Category:
    _may(actor, AdminAction.MANAGE_CATEGORIES)
    if await session.get(Category, data.code):
        raise Conflict(f"Category {data.code} already exists.", code=ProblemCode.ALREADY_EXISTS)
    category = Category(code=data.code, label=data.label, active=data.active, kind=data.kind)
    session.add(category)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.CATEGORY_CREATED,
        entity_type=EntityType.CATEGORY,
        entity_id=None,
        data={
            "code": category.code,
            "label": category.label,
            "active": category.active,
            "kind": category.kind,
        },
    )
    return category
