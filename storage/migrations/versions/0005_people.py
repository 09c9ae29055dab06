"""people: the last name each user was known by (kept when a secretary hands the post over)

Revision ID: 0005
Revises: 0004

Hand-written to match ``storage.models`` exactly (``tests/storage/test_people_migration.py`` compares them). The
branches' current secretaries are copied in, so the secretaries of today are still named after a hand-over.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_people")),
    )
    op.execute(
        "INSERT INTO people (user_id, name, updated_at) "
        "SELECT secretary_user_id, secretary_name, updated_at FROM branches "
        "WHERE secretary_user_id IS NOT NULL AND secretary_name IS NOT NULL AND secretary_name <> ''"
    )


def downgrade() -> None:
    op.drop_table("people")
