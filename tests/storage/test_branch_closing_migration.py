"""Revision 0008 (branches.closed_at) on SQLite and PostgreSQL: after 0007; existing branches stay open; up, down,
up keeps the branches and their records; the models match."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.migrate import alembic_config, current, downgrade, upgrade
from tests.storage.test_mute_history_migration import _with_connection
from tests.storage.test_review_migration import _schema_diff, is_later_diff


def test_0008_follows_0007():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_revision("0008").down_revision == "0007"


def _seed(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO branches (id, org_name, name, form, formal_members, secretary_user_id, created_at, "
            "updated_at) VALUES (1, '某公司', '支部1', 'single', 5, 810001, '2026-01-05 00:00:00', "
            "'2026-01-05 00:00:00')"
        )
    )
    connection.commit()


def _close(connection: Connection) -> None:
    connection.execute(text("UPDATE branches SET closed_at = '2026-11-02 01:00:00+00' WHERE id = 1"))
    connection.commit()


def _closed(connection: Connection) -> list[tuple]:
    rows = connection.execute(text("SELECT id, secretary_user_id, closed_at IS NULL FROM branches"))
    return [tuple(r) for r in rows]


def _branches(connection: Connection) -> list[tuple]:
    return [tuple(r) for r in connection.execute(text("SELECT id, name, secretary_user_id FROM branches"))]


async def test_0008_up_down_up_keeps_the_branches(db_url):
    upgrade(db_url, "0007")
    await _with_connection(db_url, _seed)
    upgrade(db_url, "0008")
    assert current(db_url) == "0008"
    diff = await _with_connection(db_url, _schema_diff)
    assert [e for e in diff if not is_later_diff(e)] == []  # 0009 adds branch_closures
    assert await _with_connection(db_url, _closed) == [(1, 810001, True)]  # open, as before the revision
    await _with_connection(db_url, _close)
    assert await _with_connection(db_url, _closed) == [(1, 810001, False)]
    downgrade(db_url, "0007")
    assert current(db_url) == "0007"
    assert await _with_connection(db_url, _branches) == [(1, "支部1", 810001)]
    upgrade(db_url)
    assert await _with_connection(db_url, _schema_diff) == []
    assert await _with_connection(db_url, _closed) == [(1, 810001, True)]
