"""Who is calling: the dependencies every area's routes take their caller from."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from oversight.accounts import auth
from oversight.core.http import deps
from oversight.core.http.deps import DatabaseDep, SettingsDep, TokenDep
from oversight.core.roles import Actor


# The caller check needs no session: it runs on its own (``db.Direct``), so a route that reads
# nothing else (``GET /users/me``) opens none.
async def current_actor(database: DatabaseDep, settings: SettingsDep, token: TokenDep) -> Actor:
    return await auth.resolve_actor(database, settings, token)


async def signed_in(database: DatabaseDep, settings: SettingsDep, token: TokenDep) -> auth.SignedIn:
    return await auth.signed_in(database, settings, token)


async def optional_actor(
    database: DatabaseDep, settings: SettingsDep, token: TokenDep
) -> Actor | None:
    """The caller if a token was sent; anonymous otherwise (an empty one too: generated
    clients send `Bearer ` when they hold none). A bad token is still a 401."""
    return None if not token else await auth.resolve_actor(database, settings, token)


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
SignedInDep = Annotated[auth.SignedIn, Depends(signed_in)]

deps.SIGN_IN_REQUIRED.update({current_actor, signed_in})
deps.SIGN_IN_OPTIONAL.add(optional_actor)
