"""question dismissal: question_log.dismissed_at, set when an administrator dismisses an /unanswered group (忽略)

Revision ID: 0010
Revises: 0009

Hand-written to match ``storage.models`` exactly (``tests/storage/test_question_dismissed_migration.py`` compares
them). The new column is nullable, so the upgrade is a plain ``ADD COLUMN`` on both backends and every question
logged before it reads as not dismissed. The downgrade drops the column through batch mode (a table rebuild on
SQLite, run with foreign keys off by ``env.py``, so the votes in ``feedback`` stay), as 0004 drops ``confidence``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("question_log", sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("question_log") as batch_op:
        batch_op.drop_column("dismissed_at")
