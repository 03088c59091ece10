"""The summary's counts known at intake in one row per combination (issue 30, decision 0018).

Migration 20261208_01 counted each concern once per measure: an intake wrote four rows (its
month's kind, category, neighbourhood and status), which cost intake about a tenth of its
throughput. Here those four measures become one row per (month received, kind, category,
neighbourhood, status) in ``concern_month_cells``, so that an intake writes one row, and a
status change moves one count from a cell to another. ``concern_month_counts`` keeps the
measures that change after intake (disposition, answered, on time, closed), which an intake
does not touch: its statement is skipped where no new row has any of them. The stage times
are kept as 20261208_01 keeps them; its statements are reused from that module.

Revision ID: 20261209_01
Revises: 20261208_01
Create Date: 2026-12-09 09:00:00.000000
"""

# ruff: noqa: S608 (trigger bodies built from this module's constants, no input)
import importlib.util
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "20261209_01"
down_revision: str | None = "20261208_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _load_previous() -> ModuleType:
    """Revision 20261208_01's module: its dialects, stage-time statements and triggers."""
    path = Path(__file__).with_name("2026-12-08_0900_summary_aggregates.py")
    spec = importlib.util.spec_from_file_location("summary_aggregates_20261208_01", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PREVIOUS = _load_previous()
PG, SQLITE = PREVIOUS.PG, PREVIOUS.SQLITE
#: A cell's dimensions, each ``'unknown'`` where the concern has none.
DIMENSIONS = ("kind", "category", "neighborhood", "status")
#: The measures ``concern_month_counts`` keeps from now on, of each row.
LATER_FACTS = partial(PREVIOUS._counted, only=PREVIOUS.LATER)
#: An inserted row has a measure ``concern_month_counts`` keeps only if it has one of these.
LATER_COLUMNS = ("disposition", "first_response_at", "closed_at")


def _cells(d: Any, row: str, source: str, sign: str) -> str:
    """(month, kind, category, neighborhood, status, d) of each row in ``source``."""
    values = ", ".join(f"coalesce({row}.{c}, 'unknown') AS {c}" for c in DIMENSIONS)
    return f"SELECT {d.month(f'{row}.created_at')} AS month, {values}, {sign}1 AS d {source}"


def _add_cells(d: Any, facts: str) -> str:
    key = ", ".join(("month", *DIMENSIONS))
    return (
        f"INSERT INTO concern_month_cells ({key}, shard, n) "
        f"SELECT {key}, {d.shard}, sum(d) FROM ({facts}) AS f "
        f"GROUP BY {key} HAVING sum(d) <> 0 ORDER BY {key} "
        f"ON CONFLICT ({key}, shard) DO UPDATE SET n = concern_month_cells.n + excluded.n;"
    )


def _counts(d: Any) -> dict[str, str]:
    """The trigger statements that count, by operation: the cells, then the later measures
    (skipped at intake where no new row has one: an intake does not)."""
    cells = PREVIOUS.by_operation(d, _add_cells, _cells)
    later = PREVIOUS.by_operation(d, PREVIOUS._add_counts, LATER_FACTS)
    counts = {op: f"{cells[op]} {later[op]}" for op in cells}
    if d is PG:
        known = " OR ".join(f"{c} IS NOT NULL" for c in LATER_COLUMNS)
        counts["INSERT"] = (
            f"{cells['INSERT']} IF EXISTS (SELECT 1 FROM new_rows WHERE {known}) THEN "
            f"{later['INSERT']} END IF;"
        )
    return counts


def _backfill_cells(d: Any) -> str:
    return _add_cells(d, _cells(d, "r", "FROM concerns AS r", "+"))


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # no concern written between the backfill and the new triggers
        op.execute("LOCK TABLE concerns IN SHARE ROW EXCLUSIVE MODE")
    op.create_table(
        "concern_month_cells",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("neighborhood", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", *DIMENSIONS, "shard", name=op.f("pk_concern_month_cells")),
    )
    dialect = PG if postgresql else SQLITE
    op.execute(_backfill_cells(dialect))
    moved = ", ".join(f"'{m}'" for m in DIMENSIONS)
    op.execute(f"DELETE FROM concern_month_counts WHERE measure IN ({moved})")
    if postgresql:
        op.execute(PREVIOUS.pg_function(_counts(PG), create="CREATE OR REPLACE"))
    else:
        _replace_sqlite_triggers(PREVIOUS.sqlite_triggers(_counts(SQLITE)))


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("LOCK TABLE concerns IN SHARE ROW EXCLUSIVE MODE")
    # The four measures again, summed from the cells, in the shard folds write (SQLite: 0).
    shard = -1 if postgresql else 0
    op.execute(
        "INSERT INTO concern_month_counts (month, measure, value, shard, n) "
        + " UNION ALL ".join(
            f"SELECT month, '{m}', {m}, {shard}, sum(n) FROM concern_month_cells "
            f"GROUP BY month, {m} HAVING sum(n) <> 0"
            for m in DIMENSIONS
        )
    )
    op.drop_table("concern_month_cells")
    counts = PREVIOUS.by_operation(
        PG if postgresql else SQLITE, PREVIOUS._add_counts, PREVIOUS._counted
    )
    if postgresql:
        op.execute(PREVIOUS.pg_function(counts, create="CREATE OR REPLACE"))
    else:
        _replace_sqlite_triggers(PREVIOUS.sqlite_triggers(counts))


def _replace_sqlite_triggers(triggers: tuple[str, ...]) -> None:
    for name in ("added", "removed", "changed"):
        op.execute(f"DROP TRIGGER concern_aggregates_{name}")
    for trigger in triggers:
        op.execute(trigger)
