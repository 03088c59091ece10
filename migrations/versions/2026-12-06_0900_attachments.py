"""Evidence: attachments on concerns, meetings, agenda items and resolutions (issue 28).

Revision ID: 20261206_01
Revises: 20261205_04
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_01"
down_revision: str | None = "20261205_04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("visibility", sa.String(length=12), nullable=False),
        sa.Column("derived_from", sa.Uuid(), nullable=True),
        sa.Column("needs_copy", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("uploader_role", sa.String(length=20), nullable=True),
        sa.Column("uploader_department_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "target_type IN ('concern', 'agenda_item', 'meeting', 'resolution')",
            name=op.f("ck_attachments_target_type"),
        ),
        sa.CheckConstraint(
            "visibility IN ('internal', 'department', 'public')",
            name=op.f("ck_attachments_visibility"),
        ),
        sa.CheckConstraint("status IN ('kept', 'withdrawn')", name=op.f("ck_attachments_status")),
        sa.CheckConstraint("size > 0", name=op.f("ck_attachments_size")),
        sa.ForeignKeyConstraint(
            ["derived_from"],
            ["attachments.id"],
            name=op.f("fk_attachments_derived_from_attachments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_attachments_uploaded_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploader_department_id"],
            ["departments.id"],
            name=op.f("fk_attachments_uploader_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(
        "ix_attachments_target", "attachments", ["target_type", "target_id", "uploaded_at"]
    )
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", table_name="attachments")
    op.drop_index("ix_attachments_target", table_name="attachments")
    op.drop_table("attachments")
