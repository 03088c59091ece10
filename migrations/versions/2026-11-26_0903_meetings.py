"""Commission meetings, their agendas and attendance.

Revision ID: 20261126_03
Revises: 20261126_02
Create Date: 2026-11-26 03:57:52.845328
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_03"
down_revision: str | None = "20261126_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("minutes_body", sa.Text(), nullable=True),
        sa.Column("minutes_status", sa.String(length=10), nullable=True),
        sa.Column("minutes_approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minutes_status IN ('draft', 'approved')", name=op.f("ck_meetings_minutes_status")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'in_session', 'adjourned', 'cancelled')",
            name=op.f("ck_meetings_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_scheduled_at_id", ["scheduled_at", "id"], unique=False)

    op.create_table(
        "meeting_attendance",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("commissioner_id", sa.Uuid(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commissioner_id"],
            ["users.id"],
            name=op.f("fk_meeting_attendance_commissioner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_attendance_meeting_id_meetings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id", "commissioner_id", name=op.f("pk_meeting_attendance")
        ),
    )
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("concern_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('concern', 'resolution', 'general', 'public_comment')",
            name=op.f("ck_agenda_items_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_agenda_items_concern_id_concerns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_meeting_id_meetings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index("ix_agenda_items_concern_id", ["concern_id"], unique=False)
        batch_op.create_index(
            "ix_agenda_items_meeting_id_position", ["meeting_id", "position"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_items_meeting_id_position")
        batch_op.drop_index("ix_agenda_items_concern_id")

    op.drop_table("agenda_items")
    op.drop_table("meeting_attendance")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_scheduled_at_id")

    op.drop_table("meetings")
