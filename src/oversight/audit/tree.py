"""The Merkle tree over the audit events (RFC 9162), kept beside them and derived from them:
``checkpoint`` adds the events not yet in it, in ``seq`` order, and signs a checkpoint of its
new size (outside any request: the worker every ``checkpoint_seconds``, and ``oversight audit
checkpoint``); proofs read the O(log n) stored nodes they need (``merkle``) in one query. The
append path of the events is untouched: a leaf is the hash of an event's canonical bytes,
computed here from the row.

Proofs are for sizes the log has signed: from 1 to the latest checkpoint's."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Collection

from sqlalchemy import func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.audit import checkpoint as notes
from oversight.audit import merkle, signing
from oversight.audit.models import Checkpoint, TreeNode
from oversight.core import background, chain
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.db import Database, dialect_name
from oversight.core.engines import Reads
from oversight.core.errors import NotFound, Unprocessable
from oversight.core.models import AuditEvent
from oversight.core.pagination import SortKey, keyset_page

log = logging.getLogger(__name__)

#: Events added to the tree in one transaction.
BATCH = 5000
# pg_advisory_xact_lock's key for growing the tree and signing: "overtree" as a 64-bit integer.
TREE_LOCK_KEY = int.from_bytes(b"overtree", "big") & 0x7FFF_FFFF_FFFF_FFFF


async def _nodes(
    session: AsyncSession, wanted: Collection[merkle.Node]
) -> dict[merkle.Node, bytes]:
    if not wanted:
        return {}
    rows = await session.execute(
        select(TreeNode.level, TreeNode.index, TreeNode.hash).where(
            tuple_(TreeNode.level, TreeNode.index).in_(sorted(wanted))
        )
    )
    found = {(level, index): hashed for level, index, hashed in rows}
    if len(found) != len(wanted):
        raise RuntimeError(f"the audit tree lacks nodes {sorted(set(wanted) - set(found))}")
    return found


async def built_size(session: AsyncSession) -> int:
    """How many events are in the tree."""
    last = await session.scalar(select(func.max(TreeNode.index)).where(TreeNode.level == 0))
    return 0 if last is None else last + 1


async def grow(session: AsyncSession, limit: int = BATCH) -> tuple[int, bool]:
    """Add up to ``limit`` events not yet in the tree; its size, and whether more wait."""
    size = await built_size(session)
    frontier = await _nodes(session, merkle.root_nodes(size))
    rows = await session.execute(
        select(AuditEvent.__table__)
        .where(AuditEvent.seq > size)
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    new: list[dict[str, object]] = []
    fetched = 0
    for row in rows.mappings():
        fetched += 1
        if row["seq"] != size + 1:
            raise RuntimeError(f"audit event seq {size + 1} is missing")
        leaf = merkle.leaf_hash(chain.canonical_event(dict(row)))
        for level, index, hashed in merkle.appended(size, leaf, frontier):
            frontier[(level, index)] = hashed
            new.append({"level": level, "index": index, "hash": hashed})
        size += 1
    if new:
        await session.execute(insert(TreeNode), new)
    return size, fetched == limit


async def _lock(session: AsyncSession) -> None:
    """One builder at a time (PostgreSQL; SQLite's writers run one at a time anyway)."""
    if dialect_name(session) == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TREE_LOCK_KEY})


async def _sign(session: AsyncSession, settings: Settings, size: int) -> Checkpoint | None:
    """A signed checkpoint of the tree's ``size``, unless the last one has it already."""
    latest = await session.scalar(select(func.max(Checkpoint.tree_size)))
    if size == 0 or latest == size:
        return None
    root = merkle.tree_root(size, await _nodes(session, merkle.root_nodes(size)))
    key = signing.signer_key(settings)
    origin = signing.origin_of(notes.verifier_key(key))
    note = notes.sign(notes.Checkpoint(origin, size, root).body(), key)
    made = Checkpoint(tree_size=size, root_hash=root, note=note, made_at=utcnow())
    session.add(made)
    await session.flush()
    return made


async def checkpoint(database: Database) -> Checkpoint | None:
    """Bring the tree up to the log's head, a batch a transaction, and sign a checkpoint of it
    in the last (None: the last checkpoint has this size already)."""
    while True:
        async with database.unit_of_work() as session:
            await _lock(session)
            size, more = await grow(session)
            if not more:
                return await _sign(session, database.settings, size)


@background.every_round
async def checkpoint_when_due(database: Database) -> int:
    """The worker's task: a checkpoint once ``checkpoint_seconds`` have passed since the last
    one (when the log grew). Without a signing key (outside dev) it does nothing, and says so
    once. It counts nothing handled: the tree is complete when it returns, and a checkpoint
    calls for no round sooner (nor is it one of the deliveries ``worker --once`` reports)."""
    async with database.unit_of_work(Reads.STATEMENTS) as session:
        last = (
            await session.execute(
                select(
                    func.max(Checkpoint.made_at),
                    func.coalesce(func.max(Checkpoint.tree_size), 0),
                    select(func.coalesce(func.max(AuditEvent.seq), 0)).scalar_subquery(),
                )
            )
        ).one()
    made_at, signed, head = last
    due = database.settings.checkpoint_seconds
    if head == signed or (made_at is not None and (utcnow() - made_at).total_seconds() < due):
        return 0  # nothing new, or not yet: no write transaction
    try:
        made = await checkpoint(database)
    except (signing.NoSigningKey, notes.NoteError) as exc:
        if str(exc) not in _warned:  # once a process, not every round
            log.warning("no checkpoint signed: %s", exc)
            _warned.add(str(exc))
        return 0
    if made is not None:
        log.info("signed a checkpoint of %d events", made.tree_size)
    return 0


_warned: set[str] = set()


# What the public reads.


async def latest(session: AsyncSession) -> Checkpoint:
    found = await session.scalar(select(Checkpoint).order_by(Checkpoint.tree_size.desc()).limit(1))
    if found is None:
        raise NotFound("The log has signed no checkpoint yet.")
    return found


async def named(session: AsyncSession) -> dict[str, object] | None:
    """The latest checkpoint as reports name it: ``tree_size`` and base64 ``root_hash``."""
    found = await session.execute(
        select(Checkpoint.tree_size, Checkpoint.root_hash)
        .order_by(Checkpoint.tree_size.desc())
        .limit(1)
    )
    row = found.first()
    return (
        None if row is None else {"tree_size": row.tree_size, "root_hash": notes.b64(row.root_hash)}
    )


async def history(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[Checkpoint], str | None]:
    """Every checkpoint, the largest first."""
    return await keyset_page(
        session,
        select(Checkpoint),
        [SortKey(Checkpoint.tree_size, True)],
        limit=limit,
        cursor=cursor,
    )


async def _signed_size(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(Checkpoint.tree_size), 0))) or 0)


async def consistency(session: AsyncSession, first: int, second: int) -> list[str]:
    """The RFC 9162 consistency proof from the tree of ``first`` events to that of ``second``
    (1 <= first <= second <= the latest checkpoint's size, else 422)."""
    signed = await _signed_size(session)
    if not 1 <= first <= second <= signed:
        raise Unprocessable(
            f"Ask for 1 <= from <= to <= {signed} (the latest checkpoint's size).",
            loc=("query", "to" if first <= second and second > signed else "from"),
        )
    nodes = await _nodes(session, merkle.consistency_nodes(first, second))
    return [notes.b64(h) for h in merkle.consistency_proof(first, second, nodes)]


def leaf_of(encoded: str) -> bytes:
    """A leaf hash as asked for: base64 of 32 bytes, standard or URL-safe (a standard ``+``
    left unescaped in a query arrives as a space, and is read as ``+``); else 422."""
    standard = encoded.replace(" ", "+").replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != merkle.HASH_SIZE:
        raise Unprocessable(
            "leaf_hash is the standard base64 of a 32-byte SHA-256 hash.",
            loc=("query", "leaf_hash"),
        )
    return raw


async def inclusion(session: AsyncSession, leaf: bytes, size: int) -> tuple[int, list[str]]:
    """The leaf's index and its RFC 9162 inclusion proof in the tree of ``size`` events (404
    for a leaf the log has not got; 422 unless index < size <= the latest checkpoint's)."""
    index = await session.scalar(
        select(TreeNode.index).where(TreeNode.level == 0, TreeNode.hash == leaf)
    )
    if index is None:
        raise NotFound(
            "No event in the signed log has this leaf hash (an event newer than the latest "
            "checkpoint is found after the next one)."
        )
    signed = await _signed_size(session)
    if index >= signed:
        raise Unprocessable(
            f"This leaf is number {index}; the latest checkpoint signs {signed} events: ask "
            "again after the next checkpoint.",
            loc=("query", "leaf_hash"),
        )
    if not index < size <= signed:
        raise Unprocessable(
            f"This leaf is number {index}: ask for a tree_size from {index + 1} to {signed}.",
            loc=("query", "tree_size"),
        )
    nodes = await _nodes(session, merkle.inclusion_nodes(index, size))
    return index, [notes.b64(h) for h in merkle.inclusion_proof(index, size, nodes)]
