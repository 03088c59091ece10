"""Resolutions, their votes, numbers and recommendations.

Revision ID: 20261126_04
Revises: 20261126_03
Create Date: 2026-11-26 04:02:25.121722
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_04"
down_revision: str | None = "20261126_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resolution_numbers",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_resolution_numbers")),
    )
    op.create_table(
        "resolutions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_tally", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'proposed', 'adopted', 'rejected', 'withdrawn')",
            name=op.f("ck_resolutions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_resolutions_meeting_id_meetings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolutions")),
        sa.UniqueConstraint("number", name=op.f("uq_resolutions_number")),
    )
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        batch_op.create_index("ix_resolutions_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resolutions_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "recommendations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resolution_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("department_response", sa.Text(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'partially_accepted', 'rejected', 'implemented')",
            name=op.f("ck_recommendations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_recommendations_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["resolutions.id"],
            name=op.f("fk_recommendations_resolution_id_resolutions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            "ix_recommendations_resolution_id_position", ["resolution_id", "position"], unique=False
        )

    op.create_table(
        "votes",
        sa.Column("resolution_id", sa.Uuid(), nullable=False),
        sa.Column("commissioner_id", sa.Uuid(), nullable=False),
        sa.Column("vote", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "vote IN ('yes', 'no', 'abstain', 'recused')", name=op.f("ck_votes_vote")
        ),
        sa.ForeignKeyConstraint(
            ["commissioner_id"],
            ["users.id"],
            name=op.f("fk_votes_commissioner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["resolutions.id"],
            name=op.f("fk_votes_resolution_id_resolutions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("resolution_id", "commissioner_id", name=op.f("pk_votes")),
    )
    op.create_table(
        "resolution_concerns",
        sa.Column("resolution_id", sa.Uuid(), nullable=False),
        sa.Column("concern_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_resolution_concerns_concern_id_concerns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["resolutions.id"],
            name=op.f("fk_resolution_concerns_resolution_id_resolutions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("resolution_id", "concern_id", name=op.f("pk_resolution_concerns")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_agenda_items_resolution_id"), ["resolution_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_items_resolution_id_resolutions"),
            "resolutions",
            ["resolution_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agenda_items_resolution_id_resolutions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_agenda_items_resolution_id"))
        batch_op.drop_column("resolution_id")

    op.drop_table("resolution_concerns")
    op.drop_table("votes")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_resolution_id_position")
        batch_op.drop_index(batch_op.f("ix_recommendations_department_id"))

    op.drop_table("recommendations")
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolutions_meeting_id"))
        batch_op.drop_index("ix_resolutions_created_at_id")

    op.drop_table("resolutions")
    op.drop_table("resolution_numbers")
