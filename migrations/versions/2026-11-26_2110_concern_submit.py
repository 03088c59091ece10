"""PostgreSQL: ``concern_submit``, a concern's INSERT and its audit append in one call (issue 14).

A resident's intake was four round trips on the bare driver (BEGIN, the INSERT, the append,
COMMIT). As one statement, ``WITH written AS (INSERT ...) SELECT audit_append(...)``, it
deadlocked against writers in a unit of work: the INSERT's counts trigger (AFTER STATEMENT)
fires at the end of the whole statement, after ``audit_append`` has taken the chain lock,
while a unit of work takes a counts shard's row lock at its INSERT or UPDATE and the chain
lock at commit. In a function each statement ends, triggers included, before the next: the
INSERT and its counts, then the append, the chain lock last, as for every writer.

The row comes as JSON with every column (``json_populate_record``), written only if its
category is active, the same rule as ``services.concerns.intake._INSERT_CONCERN``; false (and
nothing written or appended) if not.

Revision ID: 20261126_15
Revises: 20261126_14
Create Date: 2026-11-26 21:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261126_15"
down_revision: str | None = "20261126_14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONCERN_SUBMIT = """
CREATE OR REPLACE FUNCTION concern_submit(concern json, lock_key bigint, events json)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO concerns
    SELECT * FROM json_populate_record(NULL::concerns, concern)
    WHERE EXISTS (
        SELECT 1 FROM categories c WHERE c.code = concern->>'category' AND c.active
    );
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM audit_append(lock_key, events);
    RETURN true;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CONCERN_SUBMIT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION concern_submit(json, bigint, json)")
