"""The running-clock index carries the deadline as a key column.

The first `overdue=true` page walks concerns newest first among those whose clock runs, and
skips those not yet due. With `due_sort` in the index's keys the skip is decided in the index,
without reading each skipped row (bench/queue_scaling.py: the first overdue page at 1,000,000
concerns was 1.73x its cost at 10,000).

Revision ID: 20261126_05
Revises: 20261126_04
Create Date: 2026-11-26 06:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261126_05"
down_revision: str | None = "20261126_04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = "WHERE due_sort < '9999-12-31 00:00:00+00'::timestamptz"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_concerns_clock_running")
        op.execute(
            f"CREATE INDEX ix_concerns_clock_running ON concerns (created_at, id, due_sort) {RUNNING}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_concerns_clock_running")
        op.execute(f"CREATE INDEX ix_concerns_clock_running ON concerns (created_at, id) {RUNNING}")
