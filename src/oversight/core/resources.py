"""What every resource with a version and a status machine shares: load or 404, the version
check (428/412), the policy's verdict (403), the machine's verdict (409/403/422), and a change
recorded as a new version with its audit event."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core import audit
from oversight.core import machine as machines
from oversight.core.audit import System
from oversight.core.clock import utcnow
from oversight.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ProblemCode,
    Unprocessable,
)
from oversight.core.events import AuditAction, EntityType
from oversight.core.policy import Refusal
from oversight.core.roles import Actor, Role


class Versioned(Protocol):
    version: int


class Tracked(Protocol):
    id: uuid.UUID
    version: int
    updated_at: datetime


class Stateful(Tracked, Protocol):
    status: str


Row = TypeVar("Row")


#: Where a unit of work remembers the versions it gave (``bump``), for ``parent_etag``.
_VERSIONS = "oversight.versions"


def bump(
    session: AsyncSession,
    resource: Versioned,
    entity_type: EntityType,
    now: datetime | None = None,
) -> None:
    """The one way a resource's version moves (its next ETag): with its ``updated_at`` if it
    has one, and remembered by the unit of work (``parent_etag``)."""
    resource.version += 1
    if hasattr(resource, "updated_at"):
        resource.updated_at = now or utcnow()
    remember(session, entity_type, getattr(resource, "id", None), resource.version)


def bumped(model: Any, now: datetime) -> dict[str, Any]:
    """``bump`` as an UPDATE's values, for a count that moves under concurrent requests (a
    proposal's supports); ``remember`` the version it returns."""
    return {"version": model.version + 1, "updated_at": now}


def remember(session: AsyncSession, entity_type: EntityType, key: object, version: int) -> None:
    session.info.setdefault(_VERSIONS, {})[(entity_type, key)] = version


def parent_etag(
    session: AsyncSession, parent: EntityType, resource_id: uuid.UUID
) -> dict[str, str]:
    """``Parent-ETag`` for a sub-resource write: the version this unit of work gave the parent
    (``bump``), so the route needs no query."""
    version = session.info.get(_VERSIONS, {}).get((parent, resource_id))
    if version is None:
        raise LookupError(f"this unit of work gave {parent} {resource_id} no new version")
    return {"Parent-ETag": f'"{version}"'}


async def load_row(
    session: AsyncSession,
    model: type[Row],
    row_id: uuid.UUID,
    *,
    missing: str,
    visible: ColumnElement[bool] | None = None,
    for_update: bool = False,
) -> Row:
    """The row by id, fresh from the database (locked when ``for_update``), else 404.
    ``visible`` is the resource's visibility filter for the caller (its area's ``visibility``,
    e.g. ``meetings.visibility``): a row it leaves out is a 404 like a missing one, and is never
    locked."""
    stmt = select(model).where(model.id == row_id)  # type: ignore[attr-defined]
    if visible is not None:
        stmt = stmt.where(visible)
    if for_update:
        stmt = stmt.with_for_update()
    row = await session.scalar(stmt.execution_options(populate_existing=True))
    if row is None:
        raise NotFound(missing)
    return row


def authorize(refusal: Refusal) -> None:
    """The policy's verdict: a refusal is a 403 with its reason."""
    if refusal is not None:
        raise Forbidden(refusal)


async def record_change(
    session: AsyncSession,
    actor: Actor | System | None,
    resource: Tracked,
    entity_type: EntityType,
    action: AuditAction,
    now: datetime | None = None,
    **event: Any,
) -> None:
    """A change that shows in the resource's representation: a new version (its ETag),
    flushed, and audited in the same transaction."""
    bump(session, resource, entity_type, now)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=resource.id,
        **event,
    )


async def record_move(
    session: AsyncSession,
    actor: Actor | System | None,
    resource: Stateful,
    entity_type: EntityType,
    action: AuditAction,
    target: str,
    now: datetime | None = None,
    *,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """The one place a resource's status changes: set it, new version, audited."""
    source = resource.status
    resource.status = target
    await record_change(
        session,
        actor,
        resource,
        entity_type,
        action,
        now,
        from_status=source,
        to_status=target,
        reason=reason,
        data=data,
    )


def check_version(resource: Versioned, if_match: str | None) -> None:
    """428 without If-Match, 412 when it names another version than the stored one."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the ETag you last read.")
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")]
    if "*" not in tags and str(resource.version) not in tags:
        raise PreconditionFailed(
            f"It changed since you read it (now version {resource.version}).",
            extra={"current_version": resource.version},
        )


def enforce_move(
    moves: tuple[machines.Move, ...],
    noun: str,
    current: str,
    target: str,
    role: Role,
    given: Collection[str],
    via: str | None = None,
) -> machines.Move:
    """The machine's verdict, or its refusal as the contract's problem (409, 403 or 422)."""
    try:
        return machines.check_move(moves, current, target, role, given, via)
    except machines.NotAMove as exc:
        raise Conflict(
            f"A {noun} that is {exc.current} cannot move to {exc.target}.",
            code=ProblemCode.NOT_A_MOVE,
            extra={"allowed": exc.allowed},
        ) from exc
    except machines.NotYourMove as exc:
        raise Forbidden(str(exc).capitalize() + ".") from exc
    except machines.ElsewhereMove as exc:
        raise Unprocessable(f"This move is made by {exc.via}.", loc=("body", "to")) from exc
    except machines.Missing as exc:
        raise Unprocessable(f"{str(exc).capitalize()}.", loc=("body", exc.field)) from exc
