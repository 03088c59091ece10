"""The roster officers a commendation commends (issue 27).

Revision ID: 20261205_03
Revises: 20261205_02
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261205_03"
down_revision: str | None = "20261205_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commended_officers",
        sa.Column("concern_id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_commended_officers_concern_id_concerns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_commended_officers_officer_id_officers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("concern_id", "officer_id", name=op.f("pk_commended_officers")),
    )
    op.create_index(op.f("ix_commended_officers_officer_id"), "commended_officers", ["officer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_commended_officers_officer_id"), table_name="commended_officers")
    op.drop_table("commended_officers")
