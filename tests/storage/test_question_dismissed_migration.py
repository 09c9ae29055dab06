"""Revision 0010 (question_log.dismissed_at: /unanswered's 忽略) on SQLite and PostgreSQL: the head; questions logged
before it read as not dismissed and keep their votes; up, down, up keeps the questions; the models match."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.migrate import alembic_config, current, downgrade, head_revision, upgrade
from tests.storage.test_mute_history_migration import _with_connection
from tests.storage.test_review_migration import _schema_diff


def test_0010_is_the_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == ["0010"] == [head_revision()]
    assert script.get_revision("0010").down_revision == "0009"


def _seed(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO question_log (id, user_id, query, answered, created_at, confidence) VALUES "
            "(1, 7, '公司食堂的菜单怎么定', false, '2026-06-10 02:00:00+00', NULL), "
            "(2, 7, '党费怎么交', true, '2026-06-11 02:00:00+00', 'low')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO feedback (question_id, user_id, value, created_at) "
            "VALUES (2, 8, -1, '2026-06-11 03:00:00+00')"
        )
    )
    connection.commit()


def _dismiss(connection: Connection) -> None:
    connection.execute(text("UPDATE question_log SET dismissed_at = '2026-06-12 02:00:00+00' WHERE id = 1"))
    connection.commit()


def _questions(connection: Connection) -> list[tuple]:
    rows = connection.execute(text("SELECT id, query, confidence FROM question_log ORDER BY id"))
    return [tuple(r) for r in rows]


def _dismissed(connection: Connection) -> list[tuple]:
    rows = connection.execute(text("SELECT id, dismissed_at IS NULL FROM question_log ORDER BY id"))
    return [tuple(r) for r in rows]


def _votes(connection: Connection) -> list[tuple]:
    return [tuple(r) for r in connection.execute(text("SELECT question_id, value FROM feedback"))]


def _columns(connection: Connection) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("question_log")}


QUESTIONS = [(1, "公司食堂的菜单怎么定", None), (2, "党费怎么交", "low")]


async def test_0010_up_down_up_keeps_the_questions(db_url):
    upgrade(db_url, "0009")
    await _with_connection(db_url, _seed)
    upgrade(db_url, "0010")
    assert current(db_url) == "0010"
    assert await _with_connection(db_url, _schema_diff) == []
    assert await _with_connection(db_url, _dismissed) == [(1, True), (2, True)]  # nothing dismissed yet
    await _with_connection(db_url, _dismiss)
    assert await _with_connection(db_url, _dismissed) == [(1, False), (2, True)]
    downgrade(db_url, "0009")
    assert current(db_url) == "0009"
    assert "dismissed_at" not in await _with_connection(db_url, _columns)
    assert await _with_connection(db_url, _questions) == QUESTIONS
    assert await _with_connection(db_url, _votes) == [(2, -1)]  # the table rebuild kept the votes
    upgrade(db_url)
    assert await _with_connection(db_url, _schema_diff) == []
    assert await _with_connection(db_url, _dismissed) == [(1, True), (2, True)]  # the downgrade forgot it
    assert await _with_connection(db_url, _votes) == [(2, -1)]
