"""Dependencies shared by the routers: settings, the unit of work, the caller, permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.config import Settings
from oversight.db import Database
from oversight.domain.roles import Actor, Permission, may
from oversight.errors import Forbidden
from oversight.pagination import MAX_LIMIT
from oversight.services import auth

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.unit_of_work() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": the transaction commits before the response is sent, so a client never
# sees a 2xx for a write that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
TokenDep = Annotated[str | None, Depends(_bearer)]


async def current_actor(session: SessionDep, settings: SettingsDep, token: TokenDep) -> Actor:
    return await auth.resolve_actor(session, settings, token)


async def optional_actor(
    session: SessionDep, settings: SettingsDep, token: TokenDep
) -> Actor | None:
    """The caller if a token was sent; anonymous otherwise. A bad token is still a 401."""
    return None if token is None else await auth.resolve_actor(session, settings, token)


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def require(permission: Permission) -> Callable[..., Coroutine[Any, Any, Actor]]:
    async def dependency(actor: CurrentActor) -> Actor:
        if not may(actor.role, permission):
            raise Forbidden(f"Your role may not {permission.value.replace('_', ' ')}.")
        return actor

    return dependency


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
]
