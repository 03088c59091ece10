"""The police budget by fiscal year and monthly operational figures (issue 17).

Revision ID: 20261126_13
Revises: 20261126_12
Create Date: 2026-11-26 15:33:53.784749
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_13"
down_revision: str | None = "20261126_12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fiscal_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("city_total_cents", sa.BigInteger(), nullable=False),
        sa.Column("comment_open", sa.Boolean(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("city_total_cents >= 0", name=op.f("ck_fiscal_years_city_total")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_fiscal_years")),
    )
    op.create_table(
        "operations_figures",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("neighborhood", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.String(length=1), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("median_response_minutes", sa.Numeric(precision=7, scale=1), nullable=True),
        sa.CheckConstraint(
            "priority IN ('1', '2', '3', '4')", name=op.f("ck_operations_figures_priority")
        ),
        sa.CheckConstraint("calls >= 0", name=op.f("ck_operations_figures_calls")),
        sa.PrimaryKeyConstraint(
            "month", "neighborhood", "priority", name=op.f("pk_operations_figures")
        ),
    )
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("adopted_cents", sa.BigInteger(), nullable=False),
        sa.Column("revised_cents", sa.BigInteger(), nullable=True),
        sa.Column("actual_cents", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "category IN ('personnel', 'overtime', 'equipment', 'facilities', 'contracts', 'training', 'technology', 'other')",
            name=op.f("ck_budget_lines_category"),
        ),
        sa.CheckConstraint(
            "adopted_cents >= 0 AND (revised_cents IS NULL OR revised_cents >= 0) AND (actual_cents IS NULL OR actual_cents >= 0)",
            name=op.f("ck_budget_lines_amounts"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_budget_lines_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["fiscal_years.year"],
            name=op.f("fk_budget_lines_year_fiscal_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
    )
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_lines_year"), ["year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_lines_year"))

    op.drop_table("budget_lines")
    op.drop_table("operations_figures")
    op.drop_table("fiscal_years")
