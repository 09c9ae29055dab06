"""Revision 0007 (the branches' profile history) on SQLite and PostgreSQL: after 0006; up, down, up keeps the
branches; the models match; a change row goes with its branch."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.migrate import alembic_config, current, downgrade, upgrade
from tests.storage.test_mute_history_migration import _with_connection
from tests.storage.test_review_migration import _schema_diff, is_later_diff


def test_0007_follows_0006():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_revision("0007").down_revision == "0006"


def _seed(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO branches (id, org_name, name, form, formal_members, created_at, updated_at) "
            "VALUES (1, '某公司', '支部1', 'single', 5, '2026-01-05 00:00:00', '2026-01-05 00:00:00')"
        )
    )
    connection.commit()


def _change(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO branch_profile_changes (branch_id, changed_at, form, formal_members) "
            "VALUES (1, '2026-11-02 01:00:00+00', 'attached', 2)"
        )
    )
    connection.commit()


def _rows(connection: Connection) -> list[tuple]:
    rows = connection.execute(text("SELECT branch_id, form, formal_members FROM branch_profile_changes"))
    return [tuple(r) for r in rows]


def _branches(connection: Connection) -> list[tuple]:
    return [tuple(r) for r in connection.execute(text("SELECT id, form, formal_members FROM branches"))]


async def test_0007_up_down_up_keeps_the_branches(db_url):
    upgrade(db_url, "0006")
    await _with_connection(db_url, _seed)
    upgrade(db_url, "0007")
    assert current(db_url) == "0007"
    diff = await _with_connection(db_url, _schema_diff)
    assert [e for e in diff if not is_later_diff(e)] == []  # 0008 adds branches.closed_at
    assert await _with_connection(db_url, _rows) == []  # no history: the current profile always held
    await _with_connection(db_url, _change)
    assert await _with_connection(db_url, _rows) == [(1, "attached", 2)]
    downgrade(db_url, "0006")
    assert await _with_connection(db_url, _branches) == [(1, "single", 5)]
    upgrade(db_url)
    assert await _with_connection(db_url, _schema_diff) == []
