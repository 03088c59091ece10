"""Concerns, allegations, notes, police responses and idempotency records.

Revision ID: 20261126_02
Revises: 20261126_01
Create Date: 2026-11-26 02:41:54.651094
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_02"
down_revision: str | None = "20261126_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_records")),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_records_expires_at", ["expires_at"], unique=False)

    op.create_table(
        "concerns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tracking_code", sa.String(length=17), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("neighborhood", sa.String(length=100), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority_rank", sa.SmallInteger(), nullable=False),
        sa.Column("disposition", sa.String(length=20), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("triage_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_sort", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "disposition IN ('sustained', 'not_sustained', 'exonerated', 'unfounded', 'policy_failure', 'mediated', 'acknowledged', 'no_finding')",
            name=op.f("ck_concerns_disposition"),
        ),
        sa.CheckConstraint(
            "kind IN ('complaint', 'commendation', 'policy_concern', 'inquiry')",
            name=op.f("ck_concerns_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'triaged', 'dismissed', 'withdrawn', 'referred', 'responded', 'under_review', 'scheduled', 'resolved', 'closed')",
            name=op.f("ck_concerns_status"),
        ),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_concerns_latitude")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_concerns_longitude")),
        sa.CheckConstraint("priority_rank BETWEEN 0 AND 3", name=op.f("ck_concerns_priority_rank")),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_concerns_assignee_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["category"],
            ["categories.code"],
            name=op.f("fk_concerns_category_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_concerns_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["users.id"],
            name=op.f("fk_concerns_submitted_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_concerns_tracking_code")),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_concerns_assignee_id_created_at_id",
            ["assignee_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_concerns_category_created_at_id", ["category", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_concerns_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_concerns_department_id_created_at_id",
            ["department_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_concerns_due_sort_id", ["due_sort", "id"], unique=False)
        batch_op.create_index(
            "ix_concerns_neighborhood_created_at_id",
            ["neighborhood", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_concerns_priority_rank_created_at_id",
            ["priority_rank", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_concerns_status_created_at_id", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_concerns_submitted_by_created_at_id",
            ["submitted_by", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "allegations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("concern_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("officer_badge", sa.String(length=32), nullable=True),
        sa.Column("officer_name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("finding", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "finding IN ('sustained', 'not_sustained', 'exonerated', 'unfounded', 'policy_failure', 'mediated', 'acknowledged', 'no_finding')",
            name=op.f("ck_allegations_finding"),
        ),
        sa.ForeignKeyConstraint(
            ["category"],
            ["categories.code"],
            name=op.f("fk_allegations_category_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_allegations_concern_id_concerns"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allegations")),
    )
    with op.batch_alter_table("allegations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allegations_concern_id"), ["concern_id"], unique=False)

    op.create_table(
        "concern_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("concern_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("by_submitter", sa.Boolean(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('internal', 'public')", name=op.f("ck_concern_notes_visibility")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_concern_notes_author_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_concern_notes_concern_id_concerns"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_notes")),
    )
    with op.batch_alter_table("concern_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_concern_notes_concern_id_created_at",
            ["concern_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "police_responses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("concern_id", sa.Uuid(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("action_taken", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action_taken IN ('none', 'training', 'counseling', 'discipline', 'policy_change', 'other')",
            name=op.f("ck_police_responses_action_taken"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_police_responses_author_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_police_responses_concern_id_concerns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_police_responses_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_responses")),
    )
    with op.batch_alter_table("police_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_police_responses_concern_id_created_at",
            ["concern_id", "created_at", "id"],
            unique=False,
        )

    if op.get_bind().dialect.name == "postgresql":
        # Full-text search over summary and description (GET /concerns?q=). SQLite, the
        # single-user default, searches with LIKE instead.
        op.execute(
            "CREATE INDEX ix_concerns_search ON concerns USING gin "
            "(to_tsvector('english', summary || ' ' || description))"
        )
        # Concerns whose stage clock runs (submitted, referred): "overdue" pages walk this.
        op.execute(
            "CREATE INDEX ix_concerns_clock_running ON concerns (created_at, id) "
            "WHERE due_sort < '9999-12-31 00:00:00+00'::timestamptz"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_concerns_search")
        op.execute("DROP INDEX ix_concerns_clock_running")
    with op.batch_alter_table("police_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_police_responses_concern_id_created_at")

    op.drop_table("police_responses")
    with op.batch_alter_table("concern_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_concern_notes_concern_id_created_at")

    op.drop_table("concern_notes")
    with op.batch_alter_table("allegations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allegations_concern_id"))

    op.drop_table("allegations")
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_index("ix_concerns_submitted_by_created_at_id")
        batch_op.drop_index("ix_concerns_status_created_at_id")
        batch_op.drop_index("ix_concerns_priority_rank_created_at_id")
        batch_op.drop_index("ix_concerns_neighborhood_created_at_id")
        batch_op.drop_index("ix_concerns_due_sort_id")
        batch_op.drop_index("ix_concerns_department_id_created_at_id")
        batch_op.drop_index("ix_concerns_created_at_id")
        batch_op.drop_index("ix_concerns_category_created_at_id")
        batch_op.drop_index("ix_concerns_assignee_id_created_at_id")

    op.drop_table("concerns")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_records_expires_at")

    op.drop_table("idempotency_records")
