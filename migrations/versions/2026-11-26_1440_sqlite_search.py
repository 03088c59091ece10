"""SQLite: the concern search in an FTS5 index with the Porter stemmer, as PostgreSQL's
English full-text index (oversight.domain.search turns ``q`` into its query).

The index is external-content (it stores no copy of the text) and kept by triggers on
``concerns``. A later migration that rebuilds ``concerns`` on SQLite (``batch_alter_table``
copies the table) drops its triggers and renumbers its rows: it must create these triggers
and those of 20261126_08 again and rebuild this index (tests/migrations checks they exist).

Revision ID: 20261126_09
Revises: 20261126_08
Create Date: 2026-11-26 14:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261126_09"
down_revision: str | None = "20261126_08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADD = "INSERT INTO concerns_fts (rowid, summary, description) VALUES ({row}.rowid, {row}.summary, {row}.description);"
REMOVE = (
    "INSERT INTO concerns_fts (concerns_fts, rowid, summary, description) "
    "VALUES ('delete', {row}.rowid, {row}.summary, {row}.description);"
)
STATEMENTS = (
    "CREATE VIRTUAL TABLE concerns_fts USING fts5(summary, description, content='concerns', "
    "content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER concerns_fts_added AFTER INSERT ON concerns BEGIN {ADD.format(row='NEW')} END",
    "CREATE TRIGGER concerns_fts_removed AFTER DELETE ON concerns "
    f"BEGIN {REMOVE.format(row='OLD')} END",
    "CREATE TRIGGER concerns_fts_changed AFTER UPDATE OF summary, description ON concerns "
    f"BEGIN {REMOVE.format(row='OLD')} {ADD.format(row='NEW')} END",
    "INSERT INTO concerns_fts (concerns_fts) VALUES ('rebuild')",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("added", "removed", "changed"):
            op.execute(f"DROP TRIGGER concerns_fts_{name}")
        op.execute("DROP TABLE concerns_fts")
