"""Sign-in, token rotation, sign-out and turning a bearer token into an actor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oversight import audit
from oversight.config import Settings
from oversight.db import Database, utcnow
from oversight.domain.events import AuditAction, EntityType
from oversight.domain.roles import Actor, Role
from oversight.errors import Unauthorized
from oversight.models import AuthSession, RefreshToken, User
from oversight.schemas.accounts import TokenOut
from oversight.security import (
    InvalidToken,
    decode_access_token,
    issue_access_token,
    new_refresh_token,
    refresh_token_digest,
    verify_password,
)

BAD_CREDENTIALS = "Incorrect e-mail or password."
BAD_TOKEN = "The token is missing, invalid, expired or revoked."  # noqa: S105


async def _issue_pair(
    session: AsyncSession, settings: Settings, user: User, auth_session_id: uuid.UUID
) -> TokenOut:
    now = utcnow()
    refresh = new_refresh_token()
    session.add(
        RefreshToken(
            session_id=auth_session_id,
            digest=refresh_token_digest(refresh),
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    access = issue_access_token(
        settings, user_id=user.id, session_id=auth_session_id, role=user.role, now=now
    )
    return TokenOut(
        access_token=access,
        expires_in=settings.access_token_minutes * 60,
        refresh_token=refresh,
    )


async def sign_in(session: AsyncSession, settings: Settings, email: str, password: str) -> TokenOut:
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    # verify_password runs a full hash even for an unknown e-mail: equal timing for both.
    password_ok = verify_password(password, user.password_hash if user else None)
    if user is None or not password_ok or not user.is_active:
        await audit.record(
            session,
            actor=None,
            action=AuditAction.SIGN_IN_FAILED,
            entity_type=EntityType.USER,
            entity_id=user.id if user else None,
            data={"reason": "inactive" if user and password_ok else "bad_credentials"},
        )
        raise Unauthorized(BAD_CREDENTIALS, persist=True)
    auth_session = AuthSession(user_id=user.id)
    session.add(auth_session)
    await session.flush()
    return await _issue_pair(session, settings, user, auth_session.id)


async def _revoke(session: AsyncSession, auth_session_ids: list[uuid.UUID], reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id.in_(auth_session_ids), AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


async def rotate(session: AsyncSession, settings: Settings, refresh: str) -> TokenOut:
    row = (
        await session.execute(
            select(RefreshToken, AuthSession, User)
            .join(AuthSession, RefreshToken.session_id == AuthSession.id)
            .join(User, AuthSession.user_id == User.id)
            .where(RefreshToken.digest == refresh_token_digest(refresh))
        )
    ).one_or_none()
    if row is None:
        raise Unauthorized(BAD_TOKEN)
    token, auth_session, user = row
    now = utcnow()
    if auth_session.revoked_at is not None or not user.is_active or token.expires_at <= now:
        raise Unauthorized(BAD_TOKEN)
    # Spend the token with a conditional update, so two racing refreshes cannot both win.
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        # A spent token came back: someone holds a copy. End the whole sign-in.
        await _revoke(session, [auth_session.id], "refresh_token_reused")
        await audit.record(
            session,
            actor=Actor(user.id, Role(user.role), user.department_id),
            action=AuditAction.REFRESH_REUSED,
            entity_type=EntityType.USER,
            entity_id=user.id,
            data={"session_id": str(auth_session.id)},
        )
        raise Unauthorized(BAD_TOKEN, persist=True)
    return await _issue_pair(session, settings, user, auth_session.id)


async def sign_out(session: AsyncSession, actor: Actor, refresh: str) -> None:
    """End the caller's current sign-in and the one the refresh token belongs to, if theirs."""
    owned = await session.scalar(
        select(AuthSession.id)
        .join(RefreshToken, RefreshToken.session_id == AuthSession.id)
        .where(
            RefreshToken.digest == refresh_token_digest(refresh),
            AuthSession.user_id == actor.user_id,
        )
    )
    ended = [sid for sid in (actor.session_id, owned) if sid is not None]
    await _revoke(session, ended, "signed_out")


#: Every authenticated request runs this: built once, so that SQLAlchemy neither rebuilds the
#: expression nor recomputes its cache key each time. It reads the caller's whole profile (a
#: few columns more of the same row), so that ``GET /users/me`` is this one query.
_SIGNED_IN = (
    select(
        User.id,
        User.email,
        User.display_name,
        User.role,
        User.department_id,
        User.is_active,
        User.locale,
        User.created_at,
    )
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        User.is_active.is_(True),
        AuthSession.id == bindparam("session_id"),
        AuthSession.revoked_at.is_(None),
    )
)


@dataclass(frozen=True)
class SignedIn:
    """The caller: who they are for every rule, and their profile as ``UserOut`` shows it."""

    actor: Actor
    profile: dict[str, Any]


async def signed_in(database: Database, settings: Settings, token: str | None) -> SignedIn:
    if not token:
        raise Unauthorized("Sign in to use this endpoint.")
    try:
        claims = decode_access_token(settings, token)
    except InvalidToken as exc:
        raise Unauthorized(BAD_TOKEN) from exc
    # Outside the request's own transaction, on the bare driver (``db.Direct``): a moment
    # before it, as if in a transaction of its own.
    row = await database.direct.first(
        _SIGNED_IN, {"user_id": claims.user_id, "session_id": claims.session_id}
    )
    if row is None:
        raise Unauthorized(BAD_TOKEN)
    # The role comes from the database, so a role change takes effect at once.
    actor = Actor(row["id"], Role(row["role"]), row["department_id"], claims.session_id)
    return SignedIn(actor, row)


async def resolve_actor(database: Database, settings: Settings, token: str | None) -> Actor:
    return (await signed_in(database, settings, token)).actor
