"""Revision 0009 (branch_closures: the closures a reopening ended) on SQLite and PostgreSQL: one head; a branch
closed before it stays closed, with no row; up, down, up keeps the branches; the models match; a closure row goes
with its branch."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.migrate import alembic_config, current, downgrade, upgrade
from tests.storage.test_mute_history_migration import _with_connection
from tests.storage.test_review_migration import _schema_diff, is_later_diff


def test_0009_follows_0008():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_revision("0009").down_revision == "0008"


def _seed(connection: Connection) -> None:
    for branch in (1, 2):
        connection.execute(
            text(
                "INSERT INTO branches (id, org_name, name, form, formal_members, created_at, updated_at, "
                f"closed_at) VALUES ({branch}, '某公司', '支部{branch}', 'single', 5, '2026-01-05 00:00:00', "
                "'2026-01-05 00:00:00', " + ("'2026-06-10 02:00:00+00')" if branch == 2 else "NULL)")
            )
        )
    connection.commit()


def _reopen(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO branch_closures (branch_id, closed_at, reopened_at) "
            "VALUES (1, '2026-03-02 01:00:00+00', '2026-05-20 01:00:00+00')"
        )
    )
    connection.commit()


def _rows(connection: Connection) -> list[tuple]:
    return [tuple(r) for r in connection.execute(text("SELECT branch_id FROM branch_closures"))]


def _branches(connection: Connection) -> list[tuple]:
    rows = connection.execute(text("SELECT id, closed_at IS NULL FROM branches ORDER BY id"))
    return [tuple(r) for r in rows]


def _delete_branch(connection: Connection) -> None:
    connection.execute(text("DELETE FROM branches WHERE id = 1"))
    connection.commit()


async def test_0009_up_down_up_keeps_the_branches(db_url):
    upgrade(db_url, "0008")
    await _with_connection(db_url, _seed)
    upgrade(db_url, "0009")
    assert current(db_url) == "0009"
    diff = await _with_connection(db_url, _schema_diff)
    assert [e for e in diff if not is_later_diff(e)] == []  # 0010 adds question_log.dismissed_at
    assert await _with_connection(db_url, _rows) == []  # nothing was reopened: no past closure
    assert await _with_connection(db_url, _branches) == [(1, True), (2, False)]  # closed stays closed
    await _with_connection(db_url, _reopen)
    assert await _with_connection(db_url, _rows) == [(1,)]
    downgrade(db_url, "0008")
    assert current(db_url) == "0008"
    assert await _with_connection(db_url, _branches) == [(1, True), (2, False)]
    upgrade(db_url)
    assert await _with_connection(db_url, _schema_diff) == []
    assert await _with_connection(db_url, _rows) == []  # the downgrade dropped the table
    await _with_connection(db_url, _reopen)
    await _with_connection(db_url, _delete_branch)
    assert await _with_connection(db_url, _rows) == []  # a closure goes with its branch
