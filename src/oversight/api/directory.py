from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from oversight.api.deps import SessionDep, require
from oversight.domain.roles import Actor, Permission
from oversight.schemas import CategoryCreate, CategoryPublic, DepartmentCreate, DepartmentPublic
from oversight.services import directory

router = APIRouter(tags=["directory"])
public = APIRouter(prefix="/public", tags=["public"])


@router.get("/departments", response_model=list[DepartmentPublic])
async def list_departments(
    session: SessionDep, _: Annotated[Actor, Depends(require(Permission.READ_DEPARTMENTS))]
) -> object:
    return await directory.list_departments(session)


@router.post("/departments", status_code=status.HTTP_201_CREATED, response_model=DepartmentPublic)
async def create_department(
    body: DepartmentCreate,
    session: SessionDep,
    admin: Annotated[Actor, Depends(require(Permission.MANAGE_DEPARTMENTS))],
) -> object:
    return await directory.create_department(session, admin, body)


@router.post("/categories", status_code=status.HTTP_201_CREATED, response_model=CategoryPublic)
async def create_category(
    body: CategoryCreate,
    session: SessionDep,
    admin: Annotated[Actor, Depends(require(Permission.MANAGE_CATEGORIES))],
) -> object:
    return await directory.create_category(session, admin, body)


@public.get("/categories", response_model=list[CategoryPublic])
async def list_categories(session: SessionDep) -> object:
    """The concern category taxonomy, inactive categories included (marked `active: false`)."""
    return await directory.list_categories(session)
