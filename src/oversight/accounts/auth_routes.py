from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status

from oversight.accounts import auth
from oversight.accounts import service as users
from oversight.accounts.deps import CurrentActor
from oversight.accounts.schemas import AccountCreate, TokenOut, TokenRefresh, UserOut
from oversight.core.errors import ProblemCode, Unauthorized
from oversight.core.http.deps import (
    DatabaseDep,
    LimiterDep,
    SessionDep,
    SettingsDep,
    Storable,
    limited_by_ip,
)
from oversight.core.http.documentation import documented
from oversight.core.ratelimit import RateLimit, client_ip

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    dependencies=[Depends(limited_by_ip(RateLimit.REGISTER_ATTEMPTS_IP))],
)
@documented(raises=(ProblemCode.EMAIL_TAKEN,))
async def register(
    request: Request,
    body: AccountCreate,
    session: SessionDep,
    database: DatabaseDep,
    limiter: LimiterDep,
) -> object:
    """Create a resident account. An e-mail already registered is a 409. The password has 12
    to 128 characters and is not the e-mail, not one of the 100,000 most common passwords, not
    one character repeated and not only whitespace (422 naming the rule). Accounts created
    are rate-limited per client IP, and so, more loosely, are attempts (429 with
    Retry-After); a refused attempt does not count against the first."""
    ip = client_ip(request)
    await limiter.check(RateLimit.REGISTER_IP, ip)
    user = await users.register(session, database.direct, body)
    await limiter.count(RateLimit.REGISTER_IP, ip)
    return user


@router.post(
    "/token", response_model=TokenOut, dependencies=[Depends(limited_by_ip(RateLimit.SIGN_IN_IP))]
)
@documented(raises=(ProblemCode.UNAUTHORIZED,))
async def token(
    request: Request,
    limiter: LimiterDep,
    session: SessionDep,
    database: DatabaseDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=320, description="The account's e-mail."), Storable],
    password: Annotated[str, Form(max_length=1024), Storable],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
    device_token: Annotated[
        str | None,
        Form(
            pattern=r"^[0-9a-f]{32}\.[A-Za-z0-9_-]{1,100}$",
            description="The `device_token` of an earlier sign-in from this device.",
        ),
    ] = None,
) -> TokenOut:
    """OAuth2 password flow. A wrong e-mail and a wrong password get the same 401. Sign-ins
    are rate-limited per client IP; wrong passwords per account and client IP, and per
    account: a client that failed too often gets 429 with Retry-After, and so, while the
    account is over its limit, does every client unfamiliar to it, its password unchecked. A
    familiar client (its address signed in to the account in the last 30 days, by default,
    or it sends the `device_token` of such a sign-in) still signs in."""
    ip = client_ip(request)
    locked_for = await limiter.check_sign_in(username, ip)
    attempt = auth.Attempt(username, password, ip, device_token, locked_for)
    try:
        return await auth.sign_in(session, database.direct, settings, attempt)
    except Unauthorized:
        await limiter.sign_in_failed(username, ip)
        raise


@router.post("/refresh", response_model=TokenOut)
@documented(raises=(ProblemCode.UNAUTHORIZED,))
async def refresh(body: TokenRefresh, session: SessionDep, settings: SettingsDep) -> TokenOut:
    """Swap a refresh token for a new pair. Reusing a spent token ends the whole sign-in."""
    return await auth.rotate(session, settings, body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
@documented(every_role=True)
async def logout(body: TokenRefresh, session: SessionDep, actor: CurrentActor) -> Response:
    """End this sign-in: its refresh and access tokens stop working."""
    await auth.sign_out(session, actor, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
