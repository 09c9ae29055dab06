"""branches, invitations, activity records and their files/amendments, drafts, ptb_state

Revision ID: 0002
Revises: 0001

Hand-written to match ``storage.models`` exactly (``tests/test_migrations.py`` compares them).
Constraint and index names are written out in full and wrapped in ``op.f()`` so that Alembic
does not apply ``storage.models.NAMING_CONVENTION`` to them a second time. Only new tables are
created, so no batch mode is needed on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _branches_and_invitations()
    _activity_records()
    _record_files_and_amendments()
    _drafts_and_ptb_state()


def _branches_and_invitations() -> None:
    """The branches and the invitations that bind their secretaries."""
    op.create_table(
        "branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_name", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("formal_members", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.Column("secretary_user_id", sa.BigInteger(), nullable=True),
        sa.Column("secretary_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branches")),
        sa.UniqueConstraint("secretary_user_id", name=op.f("uq_branches_secretary_user_id")),
        sa.CheckConstraint("form IN ('single', 'joint', 'attached')", name=op.f("ck_branches_form")),
        sa.CheckConstraint("formal_members >= 0", name=op.f("ck_branches_formal_members")),
    )

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_invitations_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invitations_code_hash")),
    )
    op.create_index(op.f("ix_invitations_branch_id"), "invitations", ["branch_id"], unique=False)


def _activity_records() -> None:
    """The activity records."""
    op.create_table(
        "activity_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("actual", sa.Integer(), nullable=True),
        sa.Column("absentees", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("minutes_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_records")),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_activity_records_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name=op.f("ck_activity_records_status")),
    )
    op.create_index(
        op.f("ix_activity_records_branch_id_kind_period"),
        "activity_records",
        ["branch_id", "kind", "period"],
        unique=False,
    )


def _record_files_and_amendments() -> None:
    """A record's evidence files and the log of its amendments."""
    op.create_table(
        "record_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("telegram_file_id", sa.String(length=255), nullable=False),
        sa.Column("telegram_file_unique_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_files")),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["activity_records.id"],
            name=op.f("fk_record_files_record_id_activity_records"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "record_id",
            "telegram_file_unique_id",
            name=op.f("uq_record_files_record_id_telegram_file_unique_id"),
        ),
        sa.CheckConstraint("role IN ('photo', 'minutes')", name=op.f("ck_record_files_role")),
    )
    op.create_index(op.f("ix_record_files_sha256"), "record_files", ["sha256"], unique=False)

    op.create_table(
        "record_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("amended_by", sa.BigInteger(), nullable=False),
        sa.Column("amended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_amendments")),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["activity_records.id"],
            name=op.f("fk_record_amendments_record_id_activity_records"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_record_amendments_record_id"), "record_amendments", ["record_id"], unique=False)


def _drafts_and_ptb_state() -> None:
    """The forms being filled in, and PTB's persisted state."""
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_drafts_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("user_id", name=op.f("uq_drafts_user_id")),
    )

    op.create_table(
        "ptb_state",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_ptb_state")),
    )


def downgrade() -> None:
    op.drop_table("ptb_state")
    op.drop_table("drafts")
    op.drop_index(op.f("ix_record_amendments_record_id"), table_name="record_amendments")
    op.drop_table("record_amendments")
    op.drop_index(op.f("ix_record_files_sha256"), table_name="record_files")
    op.drop_table("record_files")
    op.drop_index(op.f("ix_activity_records_branch_id_kind_period"), table_name="activity_records")
    op.drop_table("activity_records")
    op.drop_index(op.f("ix_invitations_branch_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_table("branches")
