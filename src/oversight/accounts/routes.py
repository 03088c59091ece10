from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from oversight.accounts import service as users
from oversight.accounts.deps import CurrentActor, SignedInDep
from oversight.accounts.schemas import ProfileUpdate, UserCreate, UserOut, UserUpdate
from oversight.core.errors import ProblemCode
from oversight.core.http.deps import Cursor, Limit, SessionDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import created_at, json_response
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserOut)
@documented(every_role=True)
async def me(caller: SignedInDep) -> object:
    return caller.profile


@router.patch("/me", name="change_me", response_model=UserOut)
async def change_me(body: ProfileUpdate, session: SessionDep, actor: CurrentActor) -> object:
    """Your own `display_name` and `locale` (`en` or `es`: the language of your e-mails)."""
    return await users.change_own(session, actor, body)


@router.get("", name="list", response_model=Page[UserOut])
async def list_users(
    session: SessionDep, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> object:
    items, next_cursor = await users.page(session, actor, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", name="create", status_code=status.HTTP_201_CREATED, response_model=UserOut)
@documented(raises=(ProblemCode.EMAIL_TAKEN,), located=True)
async def create_user(
    body: UserCreate, request: Request, session: SessionDep, actor: CurrentActor
) -> Response:
    user = await users.create(session, actor, body)
    return json_response(
        UserOut.model_validate(user), 201, headers={"Location": created_at(request, user.id)}
    )


@router.get("/{user_id}", name="read", response_model=UserOut)
async def get_user(user_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> object:
    return await users.read(session, actor, user_id)


@router.patch("/{user_id}", name="change", response_model=UserOut)
@documented(raises=(ProblemCode.CONFLICT,))
async def change_user(
    user_id: uuid.UUID, body: UserUpdate, session: SessionDep, actor: CurrentActor
) -> object:
    """Change `role`, `is_active` or `department_id`. The user is signed out everywhere when
    deactivated or given another role."""
    return await users.change(session, actor, user_id, body)
