"""reminders: reminder_deliveries, reminder_mutes; branches.reminder_hour and secretary_unreachable_at

Revision ID: 0003
Revises: 0002

Hand-written to match ``storage.models`` exactly (``tests/storage/test_migrations.py`` and
``tests/storage/test_reminder_migration.py`` compare them). Names are written out in full inside ``op.f()``
(see 0002). The two new columns of ``branches`` are nullable and unconstrained (the repository checks the hour), so adding
them is a plain ``ALTER TABLE ... ADD COLUMN`` on both backends (and ``--sql`` works on SQLite too); dropping
them goes through batch mode (a table rebuild on SQLite, run with foreign keys off by ``env.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _deliveries() -> None:
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_reminder_deliveries_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "audience",
            "target_id",
            "cadence",
            "period",
            "stage",
            name=op.f("uq_reminder_deliveries_audience_target_id_cadence_period_stage"),
        ),
        sa.CheckConstraint("audience IN ('branch', 'admin')", name=op.f("ck_reminder_deliveries_audience")),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'skipped')",
            name=op.f("ck_reminder_deliveries_status"),
        ),
        sa.CheckConstraint(
            "stage IN ('open', 'nudge', 'last', 'digest')", name=op.f("ck_reminder_deliveries_stage")
        ),
        sa.CheckConstraint(
            "cadence IN ('monthly', 'quarterly', 'yearly')", name=op.f("ck_reminder_deliveries_cadence")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_reminder_deliveries_attempts")),
    )
    op.create_index(
        op.f("ix_reminder_deliveries_branch_id"), "reminder_deliveries", ["branch_id"], unique=False
    )
    op.create_index(
        op.f("ix_reminder_deliveries_status_next_attempt_at"),
        "reminder_deliveries",
        ["status", "next_attempt_at"],
        unique=False,
    )


def _mutes() -> None:
    op.create_table(
        "reminder_mutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_mutes")),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_reminder_mutes_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("branch_id", "kind", name=op.f("uq_reminder_mutes_branch_id_kind")),
    )


def upgrade() -> None:
    op.add_column("branches", sa.Column("reminder_hour", sa.SmallInteger(), nullable=True))
    op.add_column(
        "branches", sa.Column("secretary_unreachable_at", sa.DateTime(timezone=True), nullable=True)
    )
    _deliveries()
    _mutes()


def downgrade() -> None:
    op.drop_table("reminder_mutes")
    op.drop_index(op.f("ix_reminder_deliveries_status_next_attempt_at"), table_name="reminder_deliveries")
    op.drop_index(op.f("ix_reminder_deliveries_branch_id"), table_name="reminder_deliveries")
    op.drop_table("reminder_deliveries")
    with op.batch_alter_table("branches") as batch_op:
        batch_op.drop_column("secretary_unreachable_at")
        batch_op.drop_column("reminder_hour")
