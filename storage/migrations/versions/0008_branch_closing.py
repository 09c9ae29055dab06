"""branch closing: branches.closed_at, set when an administrator closes (撤销) a branch that no longer exists

Revision ID: 0008
Revises: 0007

Hand-written to match ``storage.models`` exactly (``tests/storage/test_branch_closing_migration.py`` compares
them). The new column is nullable and unconstrained, so adding it is a plain ``ALTER TABLE ... ADD COLUMN`` on
both backends; existing branches stay open (NULL). Dropping it goes through batch mode (a table rebuild on SQLite,
run with foreign keys off by ``env.py``), as 0003 drops its columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("branches", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("branches") as batch_op:
        batch_op.drop_column("closed_at")
