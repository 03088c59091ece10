"""The summary's monthly aggregates (migrations 20261208_01 and 20261209_01, decision 0018):
folding their shards.

On PostgreSQL each writer adds to the shard of its backend (one of 64), so that concurrent
intakes do not queue on one row. Left alone, a key would gather a row for every backend that
ever wrote it, and a period's summary would sum them all. The worker folds them, once a minute,
into the shard no writer uses (``FOLDED``), so that what a period reads stays the number of its
keys and a minute's changes. A row a writer holds is skipped (folded next time), so a fold
never waits for a request; a writer that adds to a row the fold is taking waits for the
fold's commit, milliseconds. A fold that finds another worker folding does nothing. SQLite
has one shard, 0, and one writer at a time: nothing to fold.
"""

# ruff: noqa: S608 (statements built from this module's names, no input)
from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core import background
from oversight.core.db import Database, dialect_name

#: The shard folds write and writers never do (they write 0 to 63).
FOLDED = -1
#: How often a worker folds.
FOLD_SECONDS = 60.0
FOLD_LOCK_KEY = int.from_bytes(b"overfold", "big") & 0x7FFF_FFFF_FFFF_FFFF
#: Each table's key, without the shard.
KEYS = {
    "concern_month_cells": ("month", "kind", "category", "neighborhood", "status"),
    "concern_month_counts": ("month", "measure", "value"),
    "concern_stage_buckets": ("stage", "month", "bucket"),
}


def _fold(table: str, keys: tuple[str, ...]) -> str:
    listed = ", ".join(keys)
    same = " AND ".join(f"t.{key} = p.{key}" for key in (*keys, "shard"))
    return (
        f"WITH picked AS (SELECT {listed}, shard FROM {table} WHERE shard <> {FOLDED} "
        "FOR UPDATE SKIP LOCKED), "
        f"gone AS (DELETE FROM {table} AS t USING picked AS p WHERE {same} "
        f"RETURNING {', '.join(f't.{key}' for key in keys)}, t.n) "
        f"INSERT INTO {table} ({listed}, shard, n) "
        f"SELECT {listed}, {FOLDED}, sum(n) FROM gone GROUP BY {listed} "
        f"ON CONFLICT ({listed}, shard) DO UPDATE SET n = {table}.n + excluded.n"
    )


FOLDS = {table: text(_fold(table, keys)) for table, keys in KEYS.items()}
EMPTIED = {table: text(f"DELETE FROM {table} WHERE shard = {FOLDED} AND n = 0") for table in KEYS}


async def fold(session: AsyncSession) -> int:
    """Fold every shard's rows that no writer holds into ``FOLDED``, and drop the folded rows
    that came to nothing; how many keys were folded. Nothing on SQLite, or while another
    transaction folds."""
    if dialect_name(session) != "postgresql":
        return 0
    locked = text("SELECT pg_try_advisory_xact_lock(:key)")
    if not await session.scalar(locked, {"key": FOLD_LOCK_KEY}):
        return 0
    folded = 0
    for table in KEYS:
        folded += (await session.execute(FOLDS[table])).rowcount  # type: ignore[attr-defined]
        await session.execute(EMPTIED[table])
    return folded


_folded_at: float | None = None


@background.every_round
async def fold_when_due(database: Database) -> int:
    """The worker's task: a fold every ``FOLD_SECONDS`` (the first at once). Like the
    checkpoint, it counts nothing handled: a fold calls for no round sooner."""
    global _folded_at
    now = time.monotonic()
    if _folded_at is not None and now - _folded_at < FOLD_SECONDS:
        return 0
    _folded_at = now
    async with database.unit_of_work() as session:
        await fold(session)
    return 0
