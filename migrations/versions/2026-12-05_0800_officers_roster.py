"""The roster of sworn officers, their dated assignments, and the officer an allegation is
linked to (issue 27). On PostgreSQL, pg_trgm for name similarity (SQLite registers the same
``similarity`` function on each connection).

Revision ID: 20261205_01
Revises: 20261204_01
Create Date: 2026-12-05 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261205_01"
down_revision: str | None = "20261204_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "officers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("badge", sa.String(length=32), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("rank", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("hired_on", sa.Date(), nullable=True),
        sa.Column("separated_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'leave', 'separated')", name=op.f("ck_officers_status")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_officers_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("department_id", "badge", name=op.f("uq_officers_department_id_badge")),
    )
    op.create_index(
        "ix_officers_last_name_first_name_id", "officers", ["last_name", "first_name", "id"]
    )
    op.create_index("ix_officers_unit", "officers", ["department_id", "unit"])
    op.create_table(
        "officer_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("rank", sa.String(length=60), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_officer_assignments_officer_id_officers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_assignments")),
    )
    op.create_index(
        "ix_officer_assignments_officer_id_starts_on",
        "officer_assignments",
        ["officer_id", "starts_on"],
    )
    with op.batch_alter_table("allegations") as batch:
        batch.add_column(sa.Column("officer_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_allegations_officer_id_officers"),
            "officers",
            ["officer_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_index(op.f("ix_allegations_officer_id"), ["officer_id"])


def downgrade() -> None:
    with op.batch_alter_table("allegations") as batch:
        batch.drop_index(op.f("ix_allegations_officer_id"))
        batch.drop_constraint(op.f("fk_allegations_officer_id_officers"), type_="foreignkey")
        batch.drop_column("officer_id")
    op.drop_index("ix_officer_assignments_officer_id_starts_on", table_name="officer_assignments")
    op.drop_table("officer_assignments")
    op.drop_index("ix_officers_unit", table_name="officers")
    op.drop_index("ix_officers_last_name_first_name_id", table_name="officers")
    op.drop_table("officers")
