from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status

from oversight.api.deps import (
    CurrentActor,
    LimiterDep,
    SessionDep,
    SettingsDep,
    Storable,
    limited_by_ip,
)
from oversight.errors import Unauthorized
from oversight.ratelimit import RateLimit, client_ip
from oversight.schemas.accounts import AccountCreate, TokenOut, TokenRefresh, UserOut
from oversight.services import auth, users

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    dependencies=[Depends(limited_by_ip(RateLimit.REGISTER_IP))],
)
async def register(body: AccountCreate, session: SessionDep) -> object:
    """Create a resident account. An e-mail already registered is a 409. The password has 12
    to 128 characters and is not the e-mail, not one of the 100,000 most common passwords, not
    one character repeated and not only whitespace (422 naming the rule). Registrations are
    rate-limited per client IP (429 with Retry-After)."""
    return await users.register(session, body)


@router.post(
    "/token", response_model=TokenOut, dependencies=[Depends(limited_by_ip(RateLimit.SIGN_IN_IP))]
)
async def token(
    request: Request,
    limiter: LimiterDep,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=320, description="The account's e-mail."), Storable],
    password: Annotated[str, Form(max_length=1024), Storable],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
) -> TokenOut:
    """OAuth2 password flow. A wrong e-mail and a wrong password get the same 401. Sign-ins
    are rate-limited per client IP; wrong passwords per account and client IP, and per
    account: a client that failed too often, or recently while the account is under attack,
    gets 429 with Retry-After, while a client that has not failed still signs in."""
    ip = client_ip(request)
    await limiter.check_sign_in(username, ip)
    try:
        return await auth.sign_in(session, settings, username, password)
    except Unauthorized:
        await limiter.sign_in_failed(username, ip)
        raise


@router.post("/refresh", response_model=TokenOut)
async def refresh(body: TokenRefresh, session: SessionDep, settings: SettingsDep) -> TokenOut:
    """Swap a refresh token for a new pair. Reusing a spent token ends the whole sign-in."""
    return await auth.rotate(session, settings, body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: TokenRefresh, session: SessionDep, actor: CurrentActor) -> Response:
    """End this sign-in: its refresh and access tokens stop working."""
    await auth.sign_out(session, actor, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
