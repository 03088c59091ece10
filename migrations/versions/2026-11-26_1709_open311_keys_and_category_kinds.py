"""Open311: keys issued to 311 systems, and each category's usual kind (issue 18).

Revision ID: 20261126_14
Revises: 20261126_13
Create Date: 2026-11-26 17:09:08.964041
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_14"
down_revision: str | None = "20261126_13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The seeded categories whose concerns are not usually complaints.
USUAL_KINDS = {"commendation": "commendation", "policy_procedure": "policy_concern"}
KINDS = "kind IN ('complaint', 'commendation', 'policy_concern', 'inquiry')"


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_open311_keys_created_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("key_sha256", name=op.f("uq_open311_keys_key_sha256")),
    )
    # A column-level CHECK, which SQLite's native ADD COLUMN takes (a batch rebuild of
    # ``categories`` would have to drop a table the concerns refer to).
    op.add_column(
        "categories",
        sa.Column(
            "kind",
            sa.String(length=20),
            sa.CheckConstraint(KINDS, name=op.f("ck_categories_kind")),
            server_default="complaint",
            nullable=False,
        ),
    )
    categories = sa.table("categories", sa.column("code", sa.String), sa.column("kind", sa.String))
    for code, kind in USUAL_KINDS.items():
        op.execute(categories.update().where(categories.c.code == code).values(kind=kind))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+), as in 20261126_12.
    op.execute("ALTER TABLE categories DROP COLUMN kind")
    op.drop_table("open311_keys")
