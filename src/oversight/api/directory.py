from __future__ import annotations

from fastapi import APIRouter, status

from oversight.api.deps import CurrentActor, SessionDep
from oversight.schemas.directory import CategoryCreate, CategoryOut, DepartmentCreate, DepartmentOut
from oversight.services import directory

router = APIRouter(tags=["directory"])
public = APIRouter(prefix="/public", tags=["public"])


@router.get("/departments", response_model=list[DepartmentOut])
async def list_departments(session: SessionDep, actor: CurrentActor) -> object:
    return await directory.list_departments(session, actor)


@router.post("/departments", status_code=status.HTTP_201_CREATED, response_model=DepartmentOut)
async def create_department(
    body: DepartmentCreate, session: SessionDep, actor: CurrentActor
) -> object:
    return await directory.create_department(session, actor, body)


@router.post("/categories", status_code=status.HTTP_201_CREATED, response_model=CategoryOut)
async def create_category(body: CategoryCreate, session: SessionDep, actor: CurrentActor) -> object:
    return await directory.create_category(session, actor, body)


@public.get("/categories", name="categories", response_model=list[CategoryOut])
async def list_categories(session: SessionDep) -> object:
    """The concern category taxonomy, inactive categories included (marked `active: false`)."""
    return await directory.list_categories(session)
