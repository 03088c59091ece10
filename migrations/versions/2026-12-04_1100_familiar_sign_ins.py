"""Familiar sign-ins: the addresses and device tokens that signed in to each account, so that
past an account's failure limit only they still have a password checked (issue 25).

Revision ID: 20261204_01
Revises: 20261126_15
Create Date: 2026-12-04 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261204_01"
down_revision: str | None = "20261126_15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "familiar_sign_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('address', 'device')", name=op.f("ck_familiar_sign_ins_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_familiar_sign_ins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_familiar_sign_ins")),
        sa.UniqueConstraint(
            "user_id", "kind", "digest", name=op.f("uq_familiar_sign_ins_user_id_kind_digest")
        ),
    )
    op.create_index(
        op.f("ix_familiar_sign_ins_user_id_last_seen_at"),
        "familiar_sign_ins",
        ["user_id", "last_seen_at"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_familiar_sign_ins_user_id_last_seen_at"), table_name="familiar_sign_ins")
    op.drop_table("familiar_sign_ins")
