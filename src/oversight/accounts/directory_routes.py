from __future__ import annotations

from fastapi import APIRouter, status

from oversight.accounts import directory
from oversight.accounts.deps import CurrentActor
from oversight.accounts.directory_schemas import (
    CategoryCreate,
    CategoryOut,
    DepartmentCreate,
    DepartmentOut,
    PublicCommissioner,
)
from oversight.core.errors import ProblemCode
from oversight.core.http.deps import Cursor, Limit, SessionDep
from oversight.core.http.documentation import documented
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page

router = APIRouter(tags=["directory"])
public = APIRouter(prefix="/public", tags=["public"])


@router.get("/departments", response_model=Page[DepartmentOut])
async def list_departments(
    session: SessionDep, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> object:
    items, next_cursor = await directory.list_departments(
        session, actor, limit=limit, cursor=cursor
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/departments", status_code=status.HTTP_201_CREATED, response_model=DepartmentOut)
@documented(raises=(ProblemCode.ALREADY_EXISTS,))
async def create_department(
    body: DepartmentCreate, session: SessionDep, actor: CurrentActor
) -> object:
    return await directory.create_department(session, actor, body)


@router.post("/categories", status_code=status.HTTP_201_CREATED, response_model=CategoryOut)
@documented(raises=(ProblemCode.ALREADY_EXISTS,))
async def create_category(body: CategoryCreate, session: SessionDep, actor: CurrentActor) -> object:
    return await directory.create_category(session, actor, body)


@public.get("/categories", name="categories", response_model=Page[CategoryOut])
async def list_categories(
    session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> object:
    """The concern category taxonomy by code, inactive categories included (marked
    `active: false`)."""
    items, next_cursor = await directory.list_categories(session, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@public.get("/departments", name="departments", response_model=Page[DepartmentOut])
async def public_departments(
    session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> object:
    """The police service's departments by code: who answers concerns and recommendations."""
    items, next_cursor = await directory.list_departments(session, None, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@public.get("/commissioners", name="commissioners", response_model=Page[PublicCommissioner])
async def public_commissioners(
    session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> object:
    """The commission's members by name, former ones marked `active: false` (their names stay
    on the minutes and votes they took part in)."""
    items, next_cursor = await directory.list_commissioners(session, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}
