"""The summary's concern figures, summed from the monthly aggregates the triggers keep
(migrations 20261208_01 and 20261209_01), are the figures the direct computation over the
concerns gives, on random data changed by inserts, updates of one row and of many, and
deletes: counts, months, suppression, and the stage-time quantiles exactly, interpolated as
percentile_cont does."""

from __future__ import annotations

import asyncio
import math
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from alembic import command
from sqlalchemy import Executable, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Category
from oversight.concerns.enums import ConcernStatus, Kind
from oversight.concerns.models import Concern, ConcernStageBucket, ConcernStageTime
from oversight.core.config import Settings
from oversight.core.db import dialect_name
from oversight.core.migrations_info import alembic_config
from oversight.core.periods import Month, Period
from oversight.notifications.worker import Worker
from oversight.reports import aggregates, summary
from oversight.reports.open_data import days_between, month_of
from oversight.reports.suppression import (
    UNKNOWN,
    publish,
    publish_series,
    small,
    withhold_small_places,
)
from tests.helpers import Api

START = datetime(2025, 1, 1, tzinfo=UTC)
PLACES = [None, "Downtown", "Sun Terrace", "Four Corners", "Dana Estates"]
DISPOSITIONS = [None, None, "sustained", "not_sustained", "unfounded", "exonerated"]
#: Stage times that sit on the histogram's edges, repeat each other, or are out of order.
EDGES = [timedelta(days=1), timedelta(days=30), timedelta(days=365), timedelta(hours=-3)]


def later(rng: random.Random, start: datetime) -> datetime | None:
    roll = rng.random()
    if roll < 0.25:
        return None
    if roll < 0.35:
        return start + rng.choice(EDGES)
    if roll < 0.5:
        return start + timedelta(hours=rng.choice([2, 6, 30]))  # ties
    return start + timedelta(seconds=rng.randrange(60, 400 * 86400))


def concern(rng: random.Random, categories: list[str]) -> dict[str, Any]:
    created = START + timedelta(seconds=rng.randrange(0, 600 * 86400))
    referred = later(rng, created)
    return {
        "id": uuid.uuid4(),
        "tracking_code": "OC-" + uuid.uuid4().hex[:14],
        "kind": rng.choice(list(Kind)).value,
        "category": rng.choice(categories),
        "summary": "Random concern",
        "description": "Random concern for the aggregates test",
        "neighborhood": rng.choice(PLACES),
        "status": rng.choice(list(ConcernStatus)).value,
        "disposition": rng.choice(DISPOSITIONS),
        "priority_rank": 1,
        "anonymous": True,
        "triage_due_at": created + timedelta(days=7),
        "response_due_at": None if referred is None else referred + timedelta(days=30),
        "due_sort": created + timedelta(days=7),
        "created_at": created,
        "updated_at": created,
        "triaged_at": later(rng, created),
        "referred_at": referred,
        "first_response_at": None if referred is None else later(rng, referred),
        "resolved_at": later(rng, created),
        "closed_at": later(rng, created),
    }


async def load(api: Api, seed: int) -> None:
    """Random concerns, then changes of every kind the triggers must follow."""
    rng = random.Random(seed)
    async with api.database.unit_of_work() as session:
        categories = list((await session.scalars(select(Category.code))).all())
        rows = [concern(rng, categories) for _ in range(400)]
        await session.execute(insert(Concern), rows[:300])  # one statement, many rows
        for row in rows[300:]:
            await session.execute(insert(Concern).values(row))
    ids = [row["id"] for row in rows]
    async with api.database.unit_of_work() as session:
        for changed in rng.sample(ids, 80):  # one row at a time, any column the figures read
            fresh = concern(rng, categories)
            keep = rng.sample(sorted(set(fresh) - {"id", "tracking_code"}), 5)
            values = {key: fresh[key] for key in keep}
            await session.execute(update(Concern).where(Concern.id == changed).values(values))
        for i in rng.sample(range(len(ids)), 12):  # a new id, with a stage time or without
            renamed = {"id": uuid.uuid4()} | ({"triaged_at": later(rng, START)} if i % 2 else {})
            await session.execute(update(Concern).where(Concern.id == ids[i]).values(renamed))
            ids[i] = renamed["id"]
        await session.execute(  # many rows in one statement
            update(Concern)
            .where(Concern.created_at < START + timedelta(days=120))
            .values(status="closed", closed_at=START + timedelta(days=200))
        )
        await session.execute(
            update(Concern).where(Concern.neighborhood == "Downtown").values(resolved_at=None)
        )
        await session.execute(delete(Concern).where(Concern.id.in_(rng.sample(ids, 40))))


def percentile_cont(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = p * (len(ordered) - 1)
    low = math.floor(k)
    if k == low:
        return ordered[low]
    return ordered[low] + (ordered[low + 1] - ordered[low]) * (k - low)


async def direct(session: AsyncSession, period: Period, threshold: int) -> dict[str, Any]:
    """The concern figures computed from the concerns themselves, row by row."""
    postgres = dialect_name(session) == "postgresql"
    c = Concern
    within = [c.created_at >= period.lower, c.created_at < period.upper]
    rows: list[Any] = list(
        (
            await session.execute(
                select(
                    c.kind,
                    c.category,
                    c.neighborhood,
                    c.status,
                    c.disposition,
                    month_of(postgres, c.created_at),
                    c.first_response_at.is_not(None),
                    c.first_response_at <= c.response_due_at,
                    days_between(postgres, c.created_at, c.triaged_at),
                    days_between(postgres, c.referred_at, c.first_response_at),
                    days_between(postgres, c.created_at, c.resolved_at),
                ).where(*within)
            )
        ).all()
    )
    closed = Counter(
        (
            await session.scalars(
                select(month_of(postgres, c.closed_at)).where(
                    c.closed_at >= period.lower, c.closed_at < period.upper
                )
            )
        ).all()
    )

    def counted(i: int) -> dict[str, int]:
        return dict(Counter(row[i] if i == 4 else row[i] or UNKNOWN for row in rows))

    dispositions = {k: n for k, n in counted(4).items() if k is not None}
    months = [str(m) for m in period.months]
    received = Counter(row[5] for row in rows)
    times = {
        stage: [row[8 + i] for row in rows if row[8 + i] is not None]
        for i, stage in enumerate(("triage", "response", "resolution"))
    }

    def stage(name: str, p: float) -> float | None:
        value = percentile_cont(times[name], p)
        return None if value is None or len(times[name]) < threshold else round(value, 1)

    answered = sum(1 for row in rows if row[6])
    on_time = sum(1 for row in rows if row[7])
    return {
        "received": small(len(rows), threshold),
        "by_kind": publish(counted(0), threshold),
        "by_category": publish(counted(1), threshold),
        "by_neighborhood": publish(withhold_small_places(counted(2), threshold), threshold),
        "by_status": publish(counted(3), threshold),
        "dispositions": publish(dispositions, threshold),
        "received_by_month": publish_series({m: received[m] for m in months}, threshold),
        "closed_by_month": publish_series({m: closed[m] for m in months}, threshold),
        "median_days_to_triage": stage("triage", 0.5),
        "median_days_to_response": stage("response", 0.5),
        "p90_days_to_response": stage("response", 0.9),
        "median_days_to_resolution": stage("resolution", 0.5),
        "response_sla_met_pct": None
        if answered < threshold
        else round(100 * on_time / answered, 1),
    }


def published(figures: dict[str, Any]) -> dict[str, Any]:
    concerns, timeliness = figures["concerns"], figures["timeliness"]
    by_month = concerns["by_month"]
    return {
        **{key: concerns[key] for key in ("received", "by_kind", "by_category")},
        **{key: concerns[key] for key in ("by_neighborhood", "by_status", "dispositions")},
        "received_by_month": {cell["month"]: cell["received"] for cell in by_month},
        "closed_by_month": {cell["month"]: cell["closed"] for cell in by_month},
        **{name: timeliness[name] for name, *_ in summary.STAGES},
        "response_sla_met_pct": timeliness["response_sla_met_pct"],
    }


def periods(rng: random.Random) -> list[Period]:
    chosen = [
        Period(Month(2025, 1), Month(2026, 12)),  # all of it
        Period(Month(2024, 1), Month(2024, 6)),  # nothing in it
        Period(Month(2025, 3), Month(2025, 3)),  # one month
    ]
    for _ in range(6):
        first = Month(2025, 1).plus(rng.randrange(0, 20))
        chosen.append(Period(first, first.plus(rng.randrange(0, 12))))
    return chosen


async def test_the_aggregates_give_the_direct_figures_on_random_data(api: Api) -> None:
    rng = random.Random(30)
    await load(api, seed=30)
    async with api.database.unit_of_work() as session:
        stored = await session.scalar(select(func.count()).select_from(ConcernStageTime))
        assert stored and stored > 300  # the stage times are there to be read
        by_bucket = select(
            ConcernStageTime.stage, ConcernStageTime.month, ConcernStageTime.bucket, func.count()
        ).group_by(ConcernStageTime.stage, ConcernStageTime.month, ConcernStageTime.bucket)
        histogram = select(
            ConcernStageBucket.stage,
            ConcernStageBucket.month,
            ConcernStageBucket.bucket,
            func.sum(ConcernStageBucket.n),
        ).group_by(ConcernStageBucket.stage, ConcernStageBucket.month, ConcernStageBucket.bucket)
        counted = {tuple(row[:3]): row[3] for row in (await session.execute(histogram)).all()}
        assert {tuple(row[:3]): row[3] for row in (await session.execute(by_bucket)).all()} == {
            key: n for key, n in counted.items() if n
        }
        orphans = select(func.count()).where(~ConcernStageTime.concern_id.in_(select(Concern.id)))
        assert await session.scalar(orphans) == 0  # every stage time is a concern's
        compared = 0
        for period in periods(rng):
            for threshold in (1, 5, 11):
                expected = await direct(session, period, threshold)
                assert published(await summary.compute(session, period, threshold)) == expected
                compared += expected["median_days_to_resolution"] is not None
        assert compared >= 10  # most comparisons had quantiles to compare


async def test_the_public_summary_reads_the_aggregates(api: Api) -> None:
    """Through HTTP, after more changes: the summary follows every write at once."""
    await load(api, seed=31)
    params = {"from": "2025-02", "to": "2026-01"}
    answer = await api.client.get("/api/v1/public/reports/summary", params=params)
    assert answer.status_code == 200, answer.text
    async with api.database.unit_of_work() as session:
        period = Period(Month(2025, 2), Month(2026, 1))
        expected = await direct(session, period, answer.json()["suppression_threshold"])
    assert published(answer.json()) == expected
    assert expected["received"]  # a period with concerns in it


SPREAD = """
INSERT INTO {table} ({keys}, shard, n) SELECT DISTINCT {keys}, {shard}, {n} FROM {table}
ON CONFLICT ({keys}, shard) DO UPDATE SET n = {table}.n + excluded.n
"""


async def spread(api: Api) -> None:
    """Each key's count over more shards, its sum the same: +3 in shard 50, -3 in shard 51, as
    writers on many backends leave them (every key, whichever shards the load wrote it in)."""
    async with api.database.unit_of_work() as session:
        for table, keys in aggregates.KEYS.items():
            for shard, n in ((50, 3), (51, -3)):
                listed = ", ".join(keys)
                await session.execute(
                    text(SPREAD.format(table=table, keys=listed, shard=shard, n=n))
                )


async def shards(api: Api, table: str) -> list[int]:
    async with api.database.unit_of_work() as session:
        found = await session.scalars(text(f"SELECT shard FROM {table} ORDER BY shard"))
        return list(found)


async def test_the_worker_folds_the_shards_without_waiting_for_writers(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folding changes no figure and leaves one row a key; a row a writer holds is left for the
    next fold, and the fold does not wait for it."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has one shard: nothing to fold")
    await load(api, seed=32)
    period = Period(Month(2025, 1), Month(2026, 12))

    async def figures() -> dict[str, Any]:
        async with api.database.unit_of_work() as session:
            return published(await summary.compute(session, period, 1))

    before = await figures()
    assert before["median_days_to_resolution"] is not None
    await spread(api)
    assert await figures() == before
    held_key = "SELECT 1 FROM concern_stage_buckets WHERE shard = 50 LIMIT 1 FOR UPDATE"
    async with await psycopg.AsyncConnection.connect(settings.database_url) as writer:
        await writer.execute(held_key)  # a writer in the middle of its transaction
        async with api.database.unit_of_work() as session:
            folded = await asyncio.wait_for(aggregates.fold(session), timeout=10)
        assert folded > 0
        assert [s for s in await shards(api, "concern_stage_buckets") if s != -1] == [50]
        assert set(await shards(api, "concern_month_counts")) == {-1}
        await writer.rollback()
    assert await figures() == before

    await spread(api)
    monkeypatch.setattr(aggregates, "_folded_at", None)  # due at once
    worker = Worker(settings, api.database)
    try:
        await worker.run_once()
    finally:
        await worker.close()
    for table in aggregates.KEYS:
        assert set(await shards(api, table)) == {-1}
    async with api.database.unit_of_work() as session:
        zero = "SELECT count(*) FROM concern_stage_buckets WHERE n = 0"
        assert await session.scalar(text(zero)) == 0  # what came to nothing is gone
    assert await figures() == before


async def by_measure(session: AsyncSession, stored: bool) -> dict[tuple[str, str, str], int]:
    """(measure, month, value) -> concerns, for the cells' four dimensions: as revision
    20261208_01 stored them in ``concern_month_counts`` (``stored``), or counted directly."""
    postgres = dialect_name(session) == "postgresql"
    found: dict[tuple[str, str, str], int] = {}
    for measure in summary.CELL_DIMENSIONS:
        query: Executable
        if stored:
            query = text(
                "SELECT month, value, sum(n) FROM concern_month_counts WHERE measure = :m "
                "GROUP BY month, value HAVING sum(n) <> 0"
            ).bindparams(m=measure)
        else:
            value = func.coalesce(getattr(Concern, measure), UNKNOWN)
            received = month_of(postgres, Concern.created_at)
            query = select(received, value, func.count()).group_by(received, value)
        for month, value, n in (await session.execute(query)).all():
            found[measure, month, value] = int(n)
    return found


async def test_the_cells_migration_carries_the_counts_down_and_up(
    api: Api, settings: Settings
) -> None:
    """Revision 20261209_01 moved four measures into cells: undone, the measures come back
    from the cells and revision 20261208_01's triggers keep them again; redone, the cells are
    filled from the concerns, and every figure is the direct one."""
    config = alembic_config(settings)
    config.attributes["quiet_logging"] = True
    await load(api, seed=33)
    await asyncio.to_thread(command.downgrade, config, "20261208_01")
    try:
        async with api.database.unit_of_work() as session:
            assert await by_measure(session, stored=True) == await by_measure(session, False)
        await load(api, seed=34)  # the earlier triggers follow every change again
        async with api.database.unit_of_work() as session:
            counted = await by_measure(session, stored=False)
            assert await by_measure(session, stored=True) == counted
            assert len(counted) > 100
    finally:
        await asyncio.to_thread(command.upgrade, config, "head")
    await load(api, seed=35)
    async with api.database.unit_of_work() as session:
        later = "SELECT count(*) FROM concern_month_counts WHERE measure IN ('kind', 'status')"
        assert await session.scalar(text(later)) == 0  # counted in the cells only
        for period in periods(random.Random(33))[:4]:
            expected = await direct(session, period, 1)
            assert published(await summary.compute(session, period, 1)) == expected
