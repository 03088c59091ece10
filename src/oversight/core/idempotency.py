"""Idempotency-Key: the same request sent twice creates once and answers twice alike.

The claim lives in the request's own transaction. On PostgreSQL a transaction-scoped advisory
lock on (scope, key) makes a second request that arrives while the first still runs fail fast
with 409; on SQLite write transactions already run one at a time, so the second simply finds
the first's answer. A failed request rolls its claim back with everything else ("failed
requests are not stored"), and a crash cannot leave a claim pending.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import rfc8785
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core.clock import utcnow
from oversight.core.db import dialect_name
from oversight.core.errors import Conflict, ProblemCode, Unprocessable
from oversight.core.models import IdempotencyRecord
from oversight.core.roles import Actor

KEEP_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Claim:
    scope: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = rfc8785.dumps(body)
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


def claim_for(actor: Actor | None, key: str, request_fingerprint: str) -> Claim:
    # An anonymous caller has no account to scope by: the request itself is the scope, so
    # nobody can replay (or block) someone else's submission by guessing their key.
    scope = f"user:{actor.user_id}" if actor else f"anon:{request_fingerprint}"
    return Claim(scope, key, request_fingerprint)


def _lock_id(claim: Claim) -> int:
    digest = hashlib.sha256(f"{claim.scope}\n{claim.key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def begin(session: AsyncSession, claim: Claim) -> Replay | None:
    """Take the key for this request, or return the first request's answer to replay."""
    if dialect_name(session) == "postgresql":
        taken = await session.scalar(select(func.pg_try_advisory_xact_lock(_lock_id(claim))))
        if not taken:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed.",
                code=ProblemCode.IDEMPOTENCY_IN_FLIGHT,
            )
    record = await session.get(IdempotencyRecord, (claim.scope, claim.key), populate_existing=True)
    now = utcnow()
    if record is not None and record.expires_at > now:
        if record.fingerprint != claim.fingerprint:
            raise Unprocessable(
                "This Idempotency-Key was used for a different request.",
                loc=("header", "Idempotency-Key"),
            )
        return Replay(record.status_code, json.loads(record.body))
    if record is not None:
        await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == claim.scope, IdempotencyRecord.key == claim.key
            )
        )
    return None


async def remember(session: AsyncSession, claim: Claim, status_code: int, body: Any) -> None:
    now = utcnow()
    session.add(
        IdempotencyRecord(
            scope=claim.scope,
            key=claim.key,
            fingerprint=claim.fingerprint,
            status_code=status_code,
            body=json.dumps(body, separators=(",", ":")),
            created_at=now,
            expires_at=now + KEEP_FOR,
        )
    )
    await session.flush()
