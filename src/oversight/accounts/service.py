"""Accounts: self-registration of residents and the admin's user management."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts import policy as account_policy
from oversight.accounts.models import AuthSession, Department, User
from oversight.accounts.policy import AdminAction
from oversight.accounts.schemas import AccountCreate, ProfileUpdate, UserCreate, UserUpdate
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.db import Rows
from oversight.core.errors import Conflict, NotFound, ProblemCode, Unprocessable
from oversight.core.events import AuditAction, EntityType
from oversight.core.pagination import SortKey, keyset_page
from oversight.core.resources import authorize
from oversight.core.roles import Actor, Role, department_rule_broken
from oversight.core.security import hash_password_async


def _may_manage(actor: Actor | None) -> None:
    """``actor`` None is the operator at the command line, who may do all of this."""
    if actor is not None:
        authorize(account_policy.administration(actor.role, AdminAction.MANAGE_USERS))


def _email_taken() -> Conflict:
    return Conflict(
        "An account with this e-mail address already exists.", code=ProblemCode.EMAIL_TAKEN
    )


async def _ensure_email_free(session: AsyncSession, email: str) -> None:
    if await session.scalar(select(User.id).where(User.email == email)):
        raise _email_taken()


_ACCOUNT_BY_EMAIL = select(User.id).where(User.email == bindparam("email"))


async def _check_department(
    session: AsyncSession, role: Role, department_id: uuid.UUID | None
) -> None:
    if broken := department_rule_broken(role, department_id is not None):
        raise Unprocessable(broken, loc=("body", "department_id"))
    if department_id is not None and await session.get(Department, department_id) is None:
        raise Unprocessable("No such department.", loc=("body", "department_id"))


async def _create(
    session: AsyncSession,
    actor: Actor | None,
    *,
    email: str,
    display_name: str,
    role: Role,
    department_id: uuid.UUID | None,
    password_hash: str,
) -> User:
    await _ensure_email_free(session, email)
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        department_id=department_id,
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.USER_CREATED,
        entity_type=EntityType.USER,
        entity_id=user.id,
        data={"role": role.value, "department_id": str(department_id) if department_id else None},
    )
    return user


async def register(session: AsyncSession, rows: Rows, data: AccountCreate) -> User:
    """A resident's own account. A taken e-mail is refused from a read outside the unit of
    work, before the password is hashed (a stream of 409s costs no hash), and the hash runs
    before the unit of work's first statement (on SQLite, that takes the write lock)."""
    if await rows.first(_ACCOUNT_BY_EMAIL, {"email": data.email}) is not None:
        raise _email_taken()
    password_hash = await hash_password_async(data.password)
    return await _create(
        session,
        None,
        email=data.email,
        display_name=data.display_name,
        role=Role.RESIDENT,
        department_id=None,
        password_hash=password_hash,
    )


async def create(session: AsyncSession, actor: Actor | None, data: UserCreate) -> User:
    """Create a user of any role: by an admin, or by the operator's CLI (no actor). The hash
    comes first, in a worker thread, so that no write lock is held through it."""
    _may_manage(actor)
    password_hash = await hash_password_async(data.password)
    await _check_department(session, data.role, data.department_id)
    return await _create(
        session,
        actor,
        email=data.email,
        display_name=data.display_name,
        role=data.role,
        department_id=data.department_id,
        password_hash=password_hash,
    )


async def get(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def read(session: AsyncSession, actor: Actor, user_id: uuid.UUID) -> User:
    """Another user's account, for an admin."""
    _may_manage(actor)
    return await get(session, user_id)


async def page(
    session: AsyncSession, actor: Actor, *, limit: int, cursor: str | None
) -> tuple[list[User], str | None]:
    _may_manage(actor)
    return await keyset_page(
        session, select(User), [SortKey(User.email)], limit=limit, cursor=cursor
    )


async def change(session: AsyncSession, actor: Actor, user_id: uuid.UUID, data: UserUpdate) -> User:
    _may_manage(actor)
    user = await get(session, user_id)
    wanted = data.model_dump(exclude_unset=True)
    if wanted.get("role", user.role) is None or wanted.get("is_active", True) is None:
        raise Unprocessable("role and is_active may not be null.")
    role = Role(wanted.get("role", user.role))
    department_id = wanted.get("department_id", user.department_id)
    if user.id == actor.user_id and (role != Role.ADMIN or wanted.get("is_active") is False):
        raise Conflict("Admins may not demote or deactivate themselves.")
    await _check_department(session, role, department_id)

    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in (("role", role.value), ("department_id", department_id)):
        if getattr(user, name) != value:
            before[name], after[name] = getattr(user, name), value
            setattr(user, name, value)
    if "is_active" in wanted and wanted["is_active"] != user.is_active:
        before["is_active"], after["is_active"] = user.is_active, wanted["is_active"]
        user.is_active = wanted["is_active"]
    if not after:
        return user
    if after.get("is_active") is False or "role" in after:
        # Sign the user out everywhere: new tokens must carry the new facts.
        await session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason="account_changed")
        )
    await _record_change(session, actor, user, before, after)
    return user


async def _record_change(
    session: AsyncSession, actor: Actor, user: User, before: dict[str, Any], after: dict[str, Any]
) -> None:
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=AuditAction.USER_CHANGED,
        entity_type=EntityType.USER,
        entity_id=user.id,
        data={"before": before, "after": after},
    )


async def change_own(session: AsyncSession, actor: Actor, data: ProfileUpdate) -> User:
    """The caller's own name and language; any signed-in account."""
    user = await get(session, actor.user_id)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise Unprocessable(f"{name} may not be null.", loc=("body", name))
        if getattr(user, name) != value:
            before[name], after[name] = getattr(user, name), value
            setattr(user, name, value)
    if after:
        await _record_change(session, actor, user, before, after)
    return user
