from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from oversight.api.deps import CurrentActor, Cursor, Limit, SessionDep, require
from oversight.domain.roles import Actor, Permission
from oversight.pagination import DEFAULT_LIMIT
from oversight.schemas import Page, UserCreate, UserPublic, UserUpdate
from oversight.services import users

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[Actor, Depends(require(Permission.MANAGE_USERS))]


@router.get("/me", response_model=UserPublic)
async def me(session: SessionDep, actor: CurrentActor) -> object:
    return await users.get(session, actor.user_id)


@router.get("", response_model=Page[UserPublic])
async def list_users(
    session: SessionDep, _admin: Admin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> object:
    items, next_cursor = await users.page(session, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserPublic)
async def create_user(body: UserCreate, session: SessionDep, admin: Admin) -> object:
    return await users.create(session, admin, body)


@router.get("/{user_id}", response_model=UserPublic)
async def get_user(user_id: uuid.UUID, session: SessionDep, _admin: Admin) -> object:
    return await users.get(session, user_id)


@router.patch("/{user_id}", response_model=UserPublic)
async def change_user(
    user_id: uuid.UUID, body: UserUpdate, session: SessionDep, admin: Admin
) -> object:
    """Change `role`, `is_active` or `department_id`. The user is signed out everywhere when
    deactivated or given another role."""
    return await users.change(session, admin, user_id, body)
