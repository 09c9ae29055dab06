"""profile history: branch_profile_changes keeps a branch's form and formal members before each change

Revision ID: 0007
Revises: 0006

Hand-written to match ``storage.models`` exactly (``tests/storage/test_migrations.py`` compares them). A new table
only, so no batch mode is needed on SQLite. Existing branches get no row: their current profile is read as the one
they always had, as before this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "branch_profile_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("formal_members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_branch_profile_changes_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_profile_changes")),
    )
    op.create_index(
        op.f("ix_branch_profile_changes_branch_id"), "branch_profile_changes", ["branch_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_branch_profile_changes_branch_id"), table_name="branch_profile_changes")
    op.drop_table("branch_profile_changes")
