"""E-mail: the outbox of messages, unsubscribed addresses, and each recipient's language (issue 16).

Adding columns to `concerns` and `users` is a plain ALTER TABLE on SQLite too (no rebuild): the
triggers of 20261126_08 and _09 stay (tests/migrations checks).

Revision ID: 20261126_12
Revises: 20261126_11
Create Date: 2026-11-26 15:25:20.910921
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_12"
down_revision: str | None = "20261126_11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('status', 'response', 'referral')", name=op.f("ck_messages_kind")
        ),
        sa.CheckConstraint("locale IN ('en', 'es')", name=op.f("ck_messages_locale")),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'skipped')", name=op.f("ck_messages_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "unsubscribes",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_unsubscribes")),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_locale", sa.String(length=5), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=5), server_default="en", nullable=False)
        )


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+), not a batch rebuild, which would drop the triggers
    # on `concerns`.
    op.execute("ALTER TABLE users DROP COLUMN locale")
    op.execute("ALTER TABLE concerns DROP COLUMN contact_locale")

    op.drop_table("unsubscribes")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_status_next_attempt_at")

    op.drop_table("messages")
