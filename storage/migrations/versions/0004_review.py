"""review: record_events, supervisor_scopes, login_links, web_sessions, webhook_updates; review_state of records,
thumbnails of record files, confidence of logged questions

Revision ID: 0004
Revises: 0003

Hand-written to match ``storage.models`` exactly (``tests/storage/test_review_migration.py`` compares them). Names
are written out in full inside ``op.f()`` (see 0002). Records that exist before this revision start as
``pending_review`` (the server default): nobody has reviewed them yet. The check constraint on
``activity_records.review_state`` goes through batch mode (a table rebuild on SQLite, run with foreign keys off by
``env.py``); the other new columns are nullable and plain ``ADD COLUMN`` on both backends. Offline (``--sql``) there
is no table to reflect, so the batch is given the table as revision 0003 left it (``_activity_records``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REVIEW_STATES = "review_state IN ('pending_review', 'passed', 'returned')"


def _activity_records(with_review: bool) -> sa.Table | None:
    """The table as it stands before this step, for an offline batch (``None`` online: reflect it)."""
    if not op.get_context().as_sql:
        return None
    review = [
        sa.Column("review_state", sa.String(length=16), server_default="pending_review", nullable=False)
    ]
    extra = (
        [sa.CheckConstraint(_REVIEW_STATES, name="ck_activity_records_review_state")] if with_review else []
    )
    return sa.Table(
        "activity_records",
        sa.MetaData(),
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
        *(review if with_review else []),
        sa.PrimaryKeyConstraint("id", name="pk_activity_records"),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name="fk_activity_records_branch_id_branches", ondelete="CASCADE"
        ),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name="ck_activity_records_status"),
        *extra,
        sa.Index("ix_activity_records_branch_id_kind_period", "branch_id", "kind", "period"),
    )


def _columns() -> None:
    op.add_column("question_log", sa.Column("confidence", sa.String(length=16), nullable=True))
    op.add_column("record_files", sa.Column("thumb_sha256", sa.String(length=64), nullable=True))
    op.add_column("record_files", sa.Column("thumb_made_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("activity_records", copy_from=_activity_records(False)) as batch_op:
        batch_op.add_column(
            sa.Column("review_state", sa.String(length=16), server_default="pending_review", nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_activity_records_review_state"), _REVIEW_STATES)


def _record_events() -> None:
    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_events")),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["activity_records.id"],
            name=op.f("fk_record_events_record_id_activity_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["record_amendments.id"],
            name=op.f("fk_record_events_amendment_id_record_amendments"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "action IN ('returned', 'amended', 'passed')", name=op.f("ck_record_events_action")
        ),
        sa.CheckConstraint(
            "state IN ('pending_review', 'passed', 'returned')", name=op.f("ck_record_events_state")
        ),
    )
    op.create_index(op.f("ix_record_events_record_id"), "record_events", ["record_id"], unique=False)


def _supervisor_scopes() -> None:
    op.create_table(
        "supervisor_scopes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisor_scopes")),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_supervisor_scopes_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("user_id", "branch_id", name=op.f("uq_supervisor_scopes_user_id_branch_id")),
    )
    op.create_index(op.f("ix_supervisor_scopes_branch_id"), "supervisor_scopes", ["branch_id"], unique=False)


def _web_login() -> None:
    op.create_table(
        "login_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_links_token_hash")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_sessions_session_hash")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)


def _webhook_updates() -> None:
    op.create_table(
        "webhook_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_webhook_updates")),
    )
    op.create_index(
        op.f("ix_webhook_updates_processed_at_update_id"),
        "webhook_updates",
        ["processed_at", "update_id"],
        unique=False,
    )


def upgrade() -> None:
    _columns()
    _record_events()
    _supervisor_scopes()
    _web_login()
    _webhook_updates()


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_updates_processed_at_update_id"), table_name="webhook_updates")
    op.drop_table("webhook_updates")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("login_links")
    op.drop_index(op.f("ix_supervisor_scopes_branch_id"), table_name="supervisor_scopes")
    op.drop_table("supervisor_scopes")
    op.drop_index(op.f("ix_record_events_record_id"), table_name="record_events")
    op.drop_table("record_events")
    with op.batch_alter_table("activity_records", copy_from=_activity_records(True)) as batch_op:
        batch_op.drop_constraint(op.f("ck_activity_records_review_state"), type_="check")
        batch_op.drop_column("review_state")
    with op.batch_alter_table("record_files") as batch_op:
        batch_op.drop_column("thumb_made_at")
        batch_op.drop_column("thumb_sha256")
    with op.batch_alter_table("question_log") as batch_op:
        batch_op.drop_column("confidence")
