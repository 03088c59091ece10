"""Early intervention: rules, the flags they raise with their notes, the officers waiting to be
evaluated again; four rules seeded (issue 27).

Revision ID: 20261205_04
Revises: 20261205_03
Create Date: 2026-12-05 11:00:00.000000
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "20261205_04"
down_revision: str | None = "20261205_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, metric, window_days, warning_at, critical_at, peer_percentile)
SEEDED = (
    ("Allegations in a year", "allegations", 365, 3, 5, None),
    ("Use-of-force allegations in six months", "use_of_force_allegations", 180, 2, 3, None),
    ("Sustained findings in two years", "sustained_findings", 730, 2, 2, None),
    ("Top 5% of the unit by allegations in a year", "allegations", 365, 10_000, 10_000, 95),
)


def upgrade() -> None:
    rules = op.create_table(
        "intervention_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("warning_at", sa.Integer(), nullable=False),
        sa.Column("critical_at", sa.Integer(), nullable=False),
        sa.Column("peer_percentile", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "metric IN ('allegations', 'use_of_force_allegations', 'sustained_findings', "
            "'complaints', 'commendations')",
            name=op.f("ck_intervention_rules_metric"),
        ),
        sa.CheckConstraint(
            "warning_at >= 1 AND critical_at >= warning_at",
            name=op.f("ck_intervention_rules_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention_rules")),
    )
    op.create_table(
        "intervention_flags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("peer_percentile", sa.Float(), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "level IN ('warning', 'critical')", name=op.f("ck_intervention_flags_level")
        ),
        sa.CheckConstraint(
            "status IN ('new', 'reviewed', 'intervention', 'closed')",
            name=op.f("ck_intervention_flags_status"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_intervention_flags_officer_id_officers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["intervention_rules.id"],
            name=op.f("fk_intervention_flags_rule_id_intervention_rules"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention_flags")),
    )
    op.create_index(
        "uq_intervention_flags_open",
        "intervention_flags",
        ["officer_id", "rule_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'closed'"),
        sqlite_where=sa.text("status <> 'closed'"),
    )
    op.create_index("ix_intervention_flags_last_at_id", "intervention_flags", ["last_at", "id"])
    op.create_index(op.f("ix_intervention_flags_rule_id"), "intervention_flags", ["rule_id"])
    op.create_table(
        "intervention_flag_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flag_id", sa.Uuid(), nullable=False),
        sa.Column("by", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"],
            ["intervention_flags.id"],
            name=op.f("fk_intervention_flag_notes_flag_id_intervention_flags"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["by"],
            ["users.id"],
            name=op.f("fk_intervention_flag_notes_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention_flag_notes")),
    )
    op.create_index(
        "ix_intervention_flag_notes_flag_id_at", "intervention_flag_notes", ["flag_id", "at"]
    )
    op.create_table(
        "intervention_pending",
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_intervention_pending_officer_id_officers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("officer_id", name=op.f("pk_intervention_pending")),
    )
    now = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    op.bulk_insert(
        rules,
        [
            {
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"oversight:intervention-rule:{name}"),
                "name": name,
                "metric": metric,
                "window_days": days,
                "warning_at": warning,
                "critical_at": critical,
                "peer_percentile": peer,
                "active": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for name, metric, days, warning, critical, peer in SEEDED
        ],
    )


def downgrade() -> None:
    op.drop_table("intervention_pending")
    op.drop_index("ix_intervention_flag_notes_flag_id_at", table_name="intervention_flag_notes")
    op.drop_table("intervention_flag_notes")
    op.drop_index(op.f("ix_intervention_flags_rule_id"), table_name="intervention_flags")
    op.drop_index("ix_intervention_flags_last_at_id", table_name="intervention_flags")
    op.drop_index("uq_intervention_flags_open", table_name="intervention_flags")
    op.drop_table("intervention_flags")
    op.drop_table("intervention_rules")
