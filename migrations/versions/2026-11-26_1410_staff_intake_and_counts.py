"""Staff intake (a concern's channel and contact phone) and status counts kept by triggers.

``concern_counts`` holds, per department and status, how many concerns there are, spread over
16 shards so that concurrent intakes rarely touch the same row; triggers on ``concerns`` keep it
in the same transaction as the change, whatever writes the row (the API, the CLI, a bulk load):
on PostgreSQL once per statement (transition tables), on SQLite once per row.

Revision ID: 20261126_08
Revises: 20261126_07
Create Date: 2026-11-26 14:10:00
"""

# ruff: noqa: S608 (trigger bodies built from this module's constants, no input)
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_08"
down_revision: str | None = "20261126_07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = "channel IN ('web', 'phone', 'email', 'mail', 'walk_in', 'open311')"
SHARDS = 16
CHANGED = "OLD.status IS NOT NEW.status OR OLD.department_id IS NOT NEW.department_id"

NONE_PG = "'00000000-0000-0000-0000-000000000000'::uuid"


def _pg_step(rows: str) -> str:
    """Add each (department, status) group's net change in ``rows`` to one random shard."""
    return f"""
    INSERT INTO concern_counts (department_key, status, shard, n)
    SELECT key, status, floor(random() * {SHARDS}), sum(d) FROM ({rows}) AS changed
    GROUP BY key, status HAVING sum(d) <> 0
    ON CONFLICT (department_key, status, shard) DO UPDATE SET n = concern_counts.n + EXCLUDED.n;
"""


def _pg_rows(table: str, sign: str) -> str:
    return f"SELECT coalesce(department_id, {NONE_PG}) AS key, status, {sign}1 AS d FROM {table}"


# Statement-level, with transition tables: a statement touching many rows (a bulk load, an
# import) makes one upsert per (department, status), not one per row; an update that changes
# neither status nor department nets to nothing and writes nothing.
PG_FUNCTION = f"""
CREATE FUNCTION concern_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_pg_step(_pg_rows("new_rows", "+"))}
  ELSIF TG_OP = 'DELETE' THEN
    {_pg_step(_pg_rows("old_rows", "-"))}
  ELSE
    {_pg_step(_pg_rows("new_rows", "+") + " UNION ALL " + _pg_rows("old_rows", "-"))}
  END IF;
  RETURN NULL;
END
$$
"""
PG_TRIGGERS = (
    "CREATE TRIGGER concern_counts_added AFTER INSERT ON concerns "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION concern_counts_track()",
    "CREATE TRIGGER concern_counts_removed AFTER DELETE ON concerns "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION concern_counts_track()",
    "CREATE TRIGGER concern_counts_moved AFTER UPDATE ON concerns "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION concern_counts_track()",
)


def _sqlite_step(row: str, sign: str) -> str:
    return (
        "INSERT INTO concern_counts (department_key, status, shard, n) VALUES "
        f"(coalesce({row}.department_id, '00000000000000000000000000000000'), {row}.status, "
        f"abs(random()) % {SHARDS}, {sign}1) ON CONFLICT (department_key, status, shard) "
        f"DO UPDATE SET n = n {sign} 1;"
    )


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER concern_counts_added AFTER INSERT ON concerns BEGIN "
    f"{_sqlite_step('NEW', '+')} END",
    f"CREATE TRIGGER concern_counts_removed AFTER DELETE ON concerns BEGIN "
    f"{_sqlite_step('OLD', '-')} END",
    "CREATE TRIGGER concern_counts_moved AFTER UPDATE OF status, department_id ON concerns "
    f"WHEN {CHANGED} BEGIN "
    f"{_sqlite_step('OLD', '-')} {_sqlite_step('NEW', '+')} END",
)

BACKFILL = (
    "INSERT INTO concern_counts (department_key, status, shard, n) "
    "SELECT coalesce(department_id, {none}), status, 0, count(*) FROM concerns "
    "GROUP BY coalesce(department_id, {none}), status"
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("channel", sa.String(length=20), nullable=False, server_default="web")
        )
        batch_op.create_check_constraint("channel", CHANNELS)
    op.create_table(
        "concern_counts",
        sa.Column("department_key", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "department_key", "status", "shard", name=op.f("pk_concern_counts")
        ),
    )
    if postgresql:
        op.execute(BACKFILL.format(none="'00000000-0000-0000-0000-000000000000'::uuid"))
        op.execute(PG_FUNCTION)
        for trigger in PG_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(BACKFILL.format(none="'00000000000000000000000000000000'"))
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("added", "removed", "moved"):
            op.execute(f"DROP TRIGGER concern_counts_{name} ON concerns")
        op.execute("DROP FUNCTION concern_counts_track()")
    else:
        for name in ("added", "removed", "moved"):
            op.execute(f"DROP TRIGGER concern_counts_{name}")
    op.drop_table("concern_counts")
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_constraint("channel", type_="check")
        batch_op.drop_column("channel")
        batch_op.drop_column("contact_phone")
