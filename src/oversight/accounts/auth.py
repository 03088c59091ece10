"""Sign-in, token rotation, sign-out and turning a bearer token into an actor.

A sign-in reads the account and what it knows of the client on its own (``db.Direct``) and
checks the password in a worker thread before it writes anything: on SQLite the unit of
work's first statement takes the write lock, which no one should hold through argon2."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import AuthSession, FamiliarBy, FamiliarSignIn, RefreshToken, User
from oversight.accounts.schemas import TokenOut
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.db import Database, Rows, dialect_name
from oversight.core.errors import Unauthorized
from oversight.core.events import AuditAction, EntityType
from oversight.core.ratelimit import too_many
from oversight.core.roles import Actor, Role
from oversight.core.security import (
    InvalidToken,
    address_digest,
    decode_access_token,
    device_matches,
    device_selector,
    issue_access_token,
    new_device_token,
    new_refresh_token,
    refresh_token_digest,
    verify_password_async,
)

BAD_CREDENTIALS = "Incorrect e-mail or password."
BAD_TOKEN = "The token is missing, invalid, expired or revoked."  # noqa: S105


async def _issue_pair(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    role: str,
    auth_session_id: uuid.UUID,
    device_token: str | None = None,
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
        settings, user_id=user_id, session_id=auth_session_id, role=role, now=now
    )
    return TokenOut(
        access_token=access,
        expires_in=settings.access_token_minutes * 60,
        refresh_token=refresh,
        device_token=device_token,
    )


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the credentials, the client, and the rate limiter's verdict."""

    email: str
    password: str
    address: str
    device_token: str | None
    #: Seconds until the account is back under its failure limit, when it is over it: then
    #: only a familiar client has its password checked.
    locked_for: float | None = None


def _familiar(kind: FamiliarBy, *where: Any) -> Any:
    return (
        select(FamiliarSignIn.digest)
        .where(
            FamiliarSignIn.user_id == User.id,
            FamiliarSignIn.kind == kind.value,
            FamiliarSignIn.last_seen_at >= bindparam("since"),
            *where,
        )
        .limit(1)
        .scalar_subquery()
    )


#: The account and what it knows of this client, in one statement run for every attempt,
#: whether the e-mail has an account or not (equal work for both).
_CREDENTIALS = select(
    User.id,
    User.role,
    User.is_active,
    User.password_hash,
    _familiar(FamiliarBy.ADDRESS, FamiliarSignIn.digest == bindparam("address")).label("address"),
    _familiar(FamiliarBy.DEVICE, FamiliarSignIn.id == bindparam("device")).label("device"),
).where(User.email == bindparam("email"))

#: For an absent or malformed device token: a selector no row has.
_NO_DEVICE = uuid.UUID(int=0)


async def sign_in(
    session: AsyncSession, rows: Rows, settings: Settings, attempt: Attempt
) -> TokenOut:
    now = utcnow()
    since = now - timedelta(days=settings.familiar_sign_in_days)
    selector = device_selector(attempt.device_token)
    user = await rows.first(
        _CREDENTIALS,
        {
            "email": attempt.email.strip().lower(),
            "address": address_digest(settings, attempt.address),
            "device": selector or _NO_DEVICE,
            "since": since,
        },
    )
    known_device = (
        user is not None
        and attempt.device_token is not None
        and device_matches(attempt.device_token, user["device"])
    )
    if attempt.locked_for is not None and not (
        known_device or (user is not None and user["address"] is not None)
    ):
        # Past the account's failure limit a stranger's password is not even checked.
        raise too_many(attempt.locked_for)
    # A full hash even for an unknown e-mail (against a dummy): equal timing for both.
    password_ok = await verify_password_async(
        attempt.password, user["password_hash"] if user else None
    )
    if user is None or not password_ok or not user["is_active"]:
        await audit.record(
            session,
            actor=None,
            action=AuditAction.SIGN_IN_FAILED,
            entity_type=EntityType.USER,
            entity_id=user["id"] if user else None,
            data={"reason": "inactive" if user and password_ok else "bad_credentials"},
        )
        raise Unauthorized(BAD_CREDENTIALS, persist=True)
    user_id: uuid.UUID = user["id"]
    auth_session = AuthSession(user_id=user_id)
    session.add(auth_session)
    await session.flush()
    device_token = await _remember(
        session,
        settings,
        user_id,
        attempt,
        now=now,
        since=since,
        device=selector if known_device else None,
    )
    return await _issue_pair(
        session, settings, user_id, user["role"], auth_session.id, device_token
    )


async def _remember(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    attempt: Attempt,
    *,
    now: datetime,
    since: datetime,
    device: uuid.UUID | None,
) -> str:
    """Make this client familiar to the account: its address, and its device token (the one
    it sent if the account knows it, else a new one); the account's stale rows go."""
    await session.execute(
        delete(FamiliarSignIn).where(
            FamiliarSignIn.user_id == user_id, FamiliarSignIn.last_seen_at < since
        )
    )
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    seen = insert(FamiliarSignIn).values(
        id=uuid.uuid4(),
        user_id=user_id,
        kind=FamiliarBy.ADDRESS.value,
        digest=address_digest(settings, attempt.address),
        last_seen_at=now,
    )
    await session.execute(
        seen.on_conflict_do_update(
            index_elements=[FamiliarSignIn.user_id, FamiliarSignIn.kind, FamiliarSignIn.digest],
            set_={"last_seen_at": now},
        )
    )
    if device is not None and attempt.device_token is not None:
        await session.execute(
            update(FamiliarSignIn).where(FamiliarSignIn.id == device).values(last_seen_at=now)
        )
        return attempt.device_token
    selector = uuid.uuid4()
    token, digest = new_device_token(selector)
    session.add(
        FamiliarSignIn(
            id=selector,
            user_id=user_id,
            kind=FamiliarBy.DEVICE.value,
            digest=digest,
            last_seen_at=now,
        )
    )
    return token  # inserted by the refresh token's flush (_issue_pair)


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
    return await _issue_pair(session, settings, user.id, user.role, auth_session.id)


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


async def by_session(
    database: Database, user_id: uuid.UUID, session_id: uuid.UUID
) -> SignedIn | None:
    """The caller a still-open sign-in names (the public site's session cookie), or None when
    it was signed out, revoked, or its account deactivated."""
    row = await database.direct.first(_SIGNED_IN, {"user_id": user_id, "session_id": session_id})
    if row is None:
        return None
    return SignedIn(Actor(row["id"], Role(row["role"]), row["department_id"], session_id), row)


async def end_session(session: AsyncSession, actor: Actor) -> None:
    """Sign out of the caller's current sign-in (the public site's "Sign out")."""
    if actor.session_id is not None:
        await _revoke(session, [actor.session_id], "signed_out")


async def resolve_actor(database: Database, settings: Settings, token: str | None) -> Actor:
    return (await signed_in(database, settings, token)).actor
