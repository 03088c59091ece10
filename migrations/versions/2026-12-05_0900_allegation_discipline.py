"""Discipline on an allegation: what the commission recommended, what the department imposed
and why, and an open correction (issue 27).

Revision ID: 20261205_02
Revises: 20261205_01
Create Date: 2026-12-05 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261205_02"
down_revision: str | None = "20261205_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = (
    "'none', 'training', 'counseling', 'written_reprimand', 'suspension', 'demotion', 'termination'"
)


def upgrade() -> None:
    with op.batch_alter_table("allegations") as batch:
        batch.add_column(sa.Column("recommended_level", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("recommended_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recommended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("imposed_level", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("imposed_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("imposed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("imposed_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("correction_reason", sa.Text(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_allegations_recommended_level"), f"recommended_level IN ({LEVELS})"
        )
        batch.create_check_constraint(
            op.f("ck_allegations_imposed_level"), f"imposed_level IN ({LEVELS})"
        )


def downgrade() -> None:
    with op.batch_alter_table("allegations") as batch:
        batch.drop_constraint(op.f("ck_allegations_imposed_level"), type_="check")
        batch.drop_constraint(op.f("ck_allegations_recommended_level"), type_="check")
        for column in (
            "correction_reason",
            "imposed_reason",
            "imposed_at",
            "imposed_days",
            "imposed_level",
            "recommended_at",
            "recommended_days",
            "recommended_level",
        ):
            batch.drop_column(column)
