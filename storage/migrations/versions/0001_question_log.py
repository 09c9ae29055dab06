"""question_log and feedback

Revision ID: 0001
Revises:

Constraint names are written out in full and wrapped in ``op.f()`` so that Alembic does not
apply ``storage.models.NAMING_CONVENTION`` to them a second time (it would turn the check
constraint "ck_feedback_value" into "ck_feedback_ck_feedback_value").
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("top_passage_id", sa.Integer(), nullable=True),
        sa.Column("top_score", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_log")),
    )
    op.create_index(op.f("ix_question_log_created_at"), "question_log", ["created_at"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question_log.id"],
            name=op.f("fk_feedback_question_id_question_log"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("question_id", "user_id", name=op.f("uq_feedback_question_id_user_id")),
        sa.CheckConstraint("value IN (1, -1)", name=op.f("ck_feedback_value")),
    )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_index(op.f("ix_question_log_created_at"), table_name="question_log")
    op.drop_table("question_log")
