"""Monthly aggregates for the transparency summary, kept by triggers on ``concerns`` (issue 30).

Three tables, each a function of the concerns, kept in the transaction that changes them,
whatever writes the row (the API, ``concern_submit``, the CLI, a bulk load), as
``concern_counts`` is (migration 20261126_08):

- ``concern_month_counts``: per month received (UTC) and measure, how many concerns: by
  kind (their sum is the number received: every concern has a kind), category,
  neighbourhood, status and disposition, answered and answered on time; and per month
  closed, how many were closed (revision 20261209_01 moves the first four to
  ``concern_month_cells``). Spread over 64 shards (the writer's backend on PostgreSQL), so
  concurrent intakes do not queue on one row; the worker folds them into shard -1 every
  minute (``reports.aggregates``).
- ``concern_stage_times``: each concern's three stage times in days (triage, response,
  resolution), computed by the very expression the summary used to compute them, with the
  bucket of a fixed monotone histogram they fall in.
- ``concern_stage_buckets``: per stage, month and bucket, how many stage times, sharded: a
  quantile's rank is found in the histogram, and its exact value read from the bucket's
  handful of stage times through an index (decision 0018).

PostgreSQL keeps them once per statement (transition tables), SQLite once per row.

Revision ID: 20261208_01
Revises: 20261207_01
Create Date: 2026-12-08 09:00:00.000000
"""

# ruff: noqa: S608 (trigger bodies built from this module's constants, no input)
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

revision: str = "20261208_01"
down_revision: str | None = "20261207_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARDS = 64
#: The columns the aggregates read (the stage times are kept by ``id``); an update that
#: changes none of them changes nothing.
COLUMNS = (
    "id",
    "created_at",
    "kind",
    "category",
    "neighborhood",
    "status",
    "disposition",
    "triaged_at",
    "referred_at",
    "first_response_at",
    "response_due_at",
    "resolved_at",
    "closed_at",
)
#: The stage times: (stage, from, to), each known once both times are.
STAGES = (
    ("triage", "created_at", "triaged_at"),
    ("response", "referred_at", "first_response_at"),
    ("resolution", "created_at", "resolved_at"),
)
STAGE_COLUMNS = (
    "id",
    "created_at",
    "triaged_at",
    "referred_at",
    "first_response_at",
    "resolved_at",
)
#: A stage time's histogram bucket: monotone in ``days`` (all that exactness needs), finer where
#: stage times crowd: 15 minutes in the first day, an hour to 30 days, 6 hours to a year, then a
#: day. (PostgreSQL's cast rounds where SQLite's truncates: both are monotone.)
BUCKET = (
    "CASE WHEN days < 1 THEN CAST(days * 96 AS INTEGER) "
    "WHEN days < 30 THEN 96 + CAST((days - 1) * 24 AS INTEGER) "
    "WHEN days < 365 THEN 792 + CAST((days - 30) * 4 AS INTEGER) "
    "ELSE 2132 + CAST(days - 365 AS INTEGER) END"
)


@dataclass(frozen=True)
class Dialect:
    """How each database writes the month (UTC) and the days between two timestamps: exactly
    as ``reports.summary`` (``month_of``, ``days_between``) writes them, so that a stored stage
    time is the very number the summary computed from the row."""

    postgresql: bool

    def month(self, at: str) -> str:
        if self.postgresql:
            return f"to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM')"
        return f"strftime('%Y-%m', {at})"

    def days(self, start: str, end: str) -> str:
        if self.postgresql:
            return (
                f"CAST(EXTRACT(epoch FROM {end} - {start}) "
                "/ CAST(86400.0 AS DOUBLE PRECISION) AS FLOAT)"
            )
        return f"CAST(julianday({end}) - julianday({start}) AS FLOAT)"

    @property
    def shard(self) -> str:
        return f"pg_backend_pid() % {SHARDS}" if self.postgresql else "0"


#: The measures known only after intake (revision 20261209_01 keeps only these here).
LATER = ("disposition", "answered", "on_time", "closed")


def _counted(d: Dialect, row: str, source: str, sign: str, only: Sequence[str] = ()) -> str:
    """(month, measure, value, d) of each row in ``source`` (``FROM ...``, or nothing in a
    SQLite row trigger, where ``row`` is NEW or OLD), of every measure or ``only`` these."""
    received = d.month(f"{row}.created_at")
    measures = [
        (received, "'kind'", f"coalesce({row}.kind, 'unknown')", None),
        (received, "'category'", f"coalesce({row}.category, 'unknown')", None),
        (received, "'neighborhood'", f"coalesce({row}.neighborhood, 'unknown')", None),
        (received, "'status'", f"coalesce({row}.status, 'unknown')", None),
        (received, "'disposition'", f"{row}.disposition", f"{row}.disposition IS NOT NULL"),
        (received, "'answered'", "''", f"{row}.first_response_at IS NOT NULL"),
        (received, "'on_time'", "''", f"{row}.first_response_at <= {row}.response_due_at"),
        (d.month(f"{row}.closed_at"), "'closed'", "''", f"{row}.closed_at IS NOT NULL"),
    ]
    return " UNION ALL ".join(
        f"SELECT {month} AS month, {measure} AS measure, {value} AS value, {sign}1 AS d "
        f"{source}{'' if where is None else f' WHERE {where}'}"
        for month, measure, value, where in measures
        if not only or measure.strip("'") in only
    )


def _timed(d: Dialect, row: str, source: str, sign: str) -> str:
    """(id, stage, month, days, d) of each row's stage times that are known."""
    return " UNION ALL ".join(
        f"SELECT {row}.id AS id, '{stage}' AS stage, {d.month(f'{row}.created_at')} AS month, "
        f"{d.days(f'{row}.{start}', f'{row}.{end}')} AS days, {sign}1 AS d {source} "
        f"WHERE {row}.{start} IS NOT NULL AND {row}.{end} IS NOT NULL"
        for stage, start, end in STAGES
    )


def _add_counts(d: Dialect, facts: str) -> str:
    return (
        "INSERT INTO concern_month_counts (month, measure, value, shard, n) "
        f"SELECT month, measure, value, {d.shard}, sum(d) FROM ({facts}) AS f "
        "GROUP BY month, measure, value HAVING sum(d) <> 0 ORDER BY month, measure, value "
        "ON CONFLICT (month, measure, value, shard) "
        "DO UPDATE SET n = concern_month_counts.n + excluded.n;"
    )


def _add_buckets(d: Dialect, times: str) -> str:
    return (
        "INSERT INTO concern_stage_buckets (stage, month, bucket, shard, n) "
        f"SELECT stage, month, {BUCKET} AS bucket, {d.shard}, sum(d) FROM ({times}) AS t "
        f"GROUP BY stage, month, {BUCKET} HAVING sum(d) <> 0 ORDER BY stage, month, 3 "
        "ON CONFLICT (stage, month, bucket, shard) "
        "DO UPDATE SET n = concern_stage_buckets.n + excluded.n;"
    )


def _insert_times(times: str, keep: str = "WHERE true") -> str:
    # The WHERE keeps SQLite from reading ON CONFLICT as a join's ON.
    return (
        "INSERT INTO concern_stage_times (concern_id, stage, month, bucket, days) "
        f"SELECT id, stage, month, {BUCKET}, days FROM ({times}) AS t {keep} "
        "ON CONFLICT (concern_id, stage) DO UPDATE SET month = excluded.month, "
        "bucket = excluded.bucket, days = excluded.days;"
    )


PG = Dialect(postgresql=True)
SQLITE = Dialect(postgresql=False)


def by_operation(
    d: Dialect,
    add: Callable[[Dialect, str], str],
    facts: Callable[[Dialect, str, str, str], str],
) -> dict[str, str]:
    """``add``'s statement over ``facts`` for each operation (``TG_OP``): over the rows
    inserted, deleted, or both (an update: the new rows counted in, the old ones out)."""
    if d.postgresql:
        new, old = (
            facts(d, "r", "FROM new_rows AS r", "+"),
            facts(d, "r", "FROM old_rows AS r", "-"),
        )
    else:
        new, old = facts(d, "NEW", "", "+"), facts(d, "OLD", "", "-")
    return {
        "INSERT": add(d, new),
        "DELETE": add(d, old),
        "UPDATE": add(d, f"{new} UNION ALL {old}"),
    }


def _pg_times() -> dict[str, str]:
    """The PostgreSQL function's statements for the stage times, by ``TG_OP``."""
    added, removed = "FROM new_rows AS r", "FROM old_rows AS r"
    new_times, old_times = _timed(PG, "r", added, "+"), _timed(PG, "r", removed, "-")
    # An update writes only what it changed: a stage time that is gone is deleted, one that is
    # new or moved is written, one that is the same is left alone.
    gone = (
        f"DELETE FROM concern_stage_times AS s USING ({old_times}) AS o "
        "WHERE s.concern_id = o.id AND s.stage = o.stage "
        f"AND NOT EXISTS (SELECT 1 FROM ({new_times}) AS n "
        "WHERE n.id = o.id AND n.stage = o.stage);"
    )
    unchanged = (
        f"WHERE NOT EXISTS (SELECT 1 FROM ({old_times}) AS o WHERE o.id = t.id "
        "AND o.stage = t.stage AND o.month = t.month AND o.days = t.days)"
    )
    # The statements are skipped where they would write nothing: an intake has no stage time
    # yet, and most updates move none (a third of intake's cost, bench/README.md).
    timed = " OR ".join(f"{end} IS NOT NULL" for _, _, end in STAGES)
    moved = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in STAGE_COLUMNS)
    return {
        "INSERT": f"""IF EXISTS (SELECT 1 FROM new_rows WHERE {timed}) THEN
      {_add_buckets(PG, new_times)}
      {_insert_times(new_times)}
    END IF;""",
        "DELETE": f"""{_add_buckets(PG, old_times)}
    DELETE FROM concern_stage_times WHERE concern_id IN (SELECT id FROM old_rows);""",
        "UPDATE": f"""IF EXISTS (SELECT 1 FROM new_rows AS n FULL JOIN old_rows AS o ON o.id = n.id WHERE {moved}) THEN
      {_add_buckets(PG, new_times + " UNION ALL " + old_times)}
      {gone}
      {_insert_times(new_times, unchanged)}
    END IF;""",
    }


def pg_function(counts: dict[str, str], create: str = "CREATE") -> str:
    """The trigger function: ``counts``' statements by ``TG_OP``, then the stage times'."""
    times = _pg_times()
    return f"""
{create} FUNCTION concern_aggregates_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {counts["INSERT"]}
    {times["INSERT"]}
  ELSIF TG_OP = 'DELETE' THEN
    {counts["DELETE"]}
    {times["DELETE"]}
  ELSE
    {counts["UPDATE"]}
    {times["UPDATE"]}
  END IF;
  RETURN NULL;
END
$$
"""


PG_TRIGGERS = (
    "CREATE TRIGGER concern_aggregates_added AFTER INSERT ON concerns "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION concern_aggregates_track()",
    "CREATE TRIGGER concern_aggregates_removed AFTER DELETE ON concerns "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION concern_aggregates_track()",
    "CREATE TRIGGER concern_aggregates_changed AFTER UPDATE ON concerns "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION concern_aggregates_track()",
)


def sqlite_triggers(counts: dict[str, str]) -> tuple[str, ...]:
    """The row triggers: ``counts``' statements by operation, then the stage times'."""
    new_times, old_times = _timed(SQLITE, "NEW", "", "+"), _timed(SQLITE, "OLD", "", "-")
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
    drop_times = "DELETE FROM concern_stage_times WHERE concern_id = OLD.id;"
    return (
        "CREATE TRIGGER concern_aggregates_added AFTER INSERT ON concerns BEGIN "
        f"{counts['INSERT']} {_add_buckets(SQLITE, new_times)} "
        f"{_insert_times(new_times)} END",
        "CREATE TRIGGER concern_aggregates_removed AFTER DELETE ON concerns BEGIN "
        f"{counts['DELETE']} {_add_buckets(SQLITE, old_times)} "
        f"{drop_times} END",
        f"CREATE TRIGGER concern_aggregates_changed AFTER UPDATE OF {', '.join(COLUMNS)} "
        f"ON concerns WHEN {changed} BEGIN "
        f"{counts['UPDATE']} "
        f"{_add_buckets(SQLITE, new_times + ' UNION ALL ' + old_times)} "
        f"{drop_times} {_insert_times(new_times)} END",
    )


def _backfill(d: Dialect) -> tuple[str, ...]:
    every = "FROM concerns AS r"
    times = _timed(d, "r", every, "+")
    return (
        _add_counts(d, _counted(d, "r", every, "+")),
        _add_buckets(d, times),
        _insert_times(times),
    )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # no concern written between the backfill and the triggers
        op.execute("LOCK TABLE concerns IN SHARE ROW EXCLUSIVE MODE")
    op.create_table(
        "concern_month_counts",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "measure", "value", "shard", name=op.f("pk_concern_month_counts")
        ),
    )
    op.create_table(
        "concern_stage_buckets",
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "stage", "month", "bucket", "shard", name=op.f("pk_concern_stage_buckets")
        ),
    )
    op.create_table(
        "concern_stage_times",
        sa.Column("concern_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("days", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("concern_id", "stage", name=op.f("pk_concern_stage_times")),
    )
    op.create_index(
        "ix_concern_stage_times_stage_bucket_days_month",
        "concern_stage_times",
        ["stage", "bucket", "days", "month"],
    )
    dialect = PG if postgresql else SQLITE
    for statement in _backfill(dialect):
        op.execute(statement)
    if postgresql:
        op.execute(pg_function(by_operation(PG, _add_counts, _counted)))
        for trigger in PG_TRIGGERS:
            op.execute(trigger)
    else:
        for trigger in sqlite_triggers(by_operation(SQLITE, _add_counts, _counted)):
            op.execute(trigger)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in ("added", "removed", "changed"):
        op.execute(
            f"DROP TRIGGER concern_aggregates_{name}" + (" ON concerns" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION concern_aggregates_track()")
    op.drop_index("ix_concern_stage_times_stage_bucket_days_month", "concern_stage_times")
    for table in ("concern_stage_times", "concern_stage_buckets", "concern_month_counts"):
        op.drop_table(table)
