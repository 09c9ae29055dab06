"""branch closures: branch_closures keeps each closure (撤销) a reopening ended

Revision ID: 0009
Revises: 0008

Hand-written to match ``storage.models`` exactly (``tests/storage/test_branch_closures_migration.py`` compares
them). A new table only, so no batch mode is needed on SQLite. A branch reopened before this revision has no row:
its closure was not kept (``branches.closed_at`` was cleared), so it reads as never closed, as it did before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "branch_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_branch_closures_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_closures")),
    )
    op.create_index(op.f("ix_branch_closures_branch_id"), "branch_closures", ["branch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_branch_closures_branch_id"), table_name="branch_closures")
    op.drop_table("branch_closures")
