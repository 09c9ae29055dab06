"""mute history: reminder_mutes keeps ended mutes (ended_at); one current mute per branch and kind

Revision ID: 0006
Revises: 0005

Hand-written to match ``storage.models`` exactly (``tests/storage/test_mute_history_migration.py`` compares them).
The unique (branch_id, kind) becomes unique (branch_id, kind, in_force), ``in_force`` true on the current row and
null on ended ones (nulls are distinct), so a mute that is lifted or replaced stays as history while one current
mute per branch and kind is still enforced. Existing mutes are kept, all current.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table_0005(*extra: sa.Column) -> sa.Table:
    """reminder_mutes as revision 0003 made it (``copy_from``: SQLite's batch mode then needs no reflection,
    so ``--sql`` works too)."""
    return sa.Table(
        "reminder_mutes",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("id", name="pk_reminder_mutes"),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name="fk_reminder_mutes_branch_id_branches", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("branch_id", "kind", name="uq_reminder_mutes_branch_id_kind"),
    )


def upgrade() -> None:
    with op.batch_alter_table("reminder_mutes", copy_from=_table_0005()) as batch_op:
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("in_force", sa.Boolean(), nullable=True))
        batch_op.drop_constraint("uq_reminder_mutes_branch_id_kind", type_="unique")
        batch_op.create_unique_constraint(
            "uq_reminder_mutes_branch_id_kind_in_force", ["branch_id", "kind", "in_force"]
        )
    mutes = sa.table("reminder_mutes", sa.column("in_force", sa.Boolean()))
    op.execute(mutes.update().values(in_force=True))  # every existing mute is current


def downgrade() -> None:
    # Only the current mutes survive a downgrade (the old table held one row per branch and kind).
    op.execute("DELETE FROM reminder_mutes WHERE ended_at IS NOT NULL")
    table = _table_0005(
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_force", sa.Boolean(), nullable=True),
        sa.UniqueConstraint(
            "branch_id", "kind", "in_force", name="uq_reminder_mutes_branch_id_kind_in_force"
        ),
    )
    table.constraints = {
        c
        for c in table.constraints
        if not (isinstance(c, sa.UniqueConstraint) and c.name == "uq_reminder_mutes_branch_id_kind")
    }
    with op.batch_alter_table("reminder_mutes", copy_from=table) as batch_op:
        batch_op.drop_constraint("uq_reminder_mutes_branch_id_kind_in_force", type_="unique")
        batch_op.create_unique_constraint("uq_reminder_mutes_branch_id_kind", ["branch_id", "kind"])
        batch_op.drop_column("in_force")
        batch_op.drop_column("ended_at")
