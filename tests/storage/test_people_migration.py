"""Revision 0005 (people: the names users were known by) on SQLite and PostgreSQL: the head; up, down, up; the
models match; the branches' current secretaries are copied in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.migrate import alembic_config, current, downgrade, upgrade
from tests.storage.test_review_migration import _schema_diff, is_later_diff

T = TypeVar("T")


async def _with_connection(url: str, fn: Callable[[Connection], T]) -> T:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def test_0005_follows_0004():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_revision("0005").down_revision == "0004"


def _seed(connection: Connection) -> None:
    for branch_id, user_id, name in ((1, 11, "'王书记'"), (2, None, "NULL"), (3, 13, "NULL")):
        connection.execute(
            text(
                "INSERT INTO branches (id, org_name, name, form, formal_members, secretary_user_id, secretary_name, "
                f"created_at, updated_at) VALUES ({branch_id}, '某公司', '支部{branch_id}', 'single', 5, "
                f"{'NULL' if user_id is None else user_id}, {name}, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            )
        )
    connection.commit()


def _people(connection: Connection) -> list[tuple[int, str]]:
    return [tuple(r) for r in connection.execute(text("SELECT user_id, name FROM people ORDER BY user_id"))]


def _has_people(connection: Connection) -> bool:
    return "people" in inspect(connection).get_table_names()


async def test_0005_up_down_up_copies_the_secretaries(db_url):
    upgrade(db_url, "0004")
    await _with_connection(db_url, _seed)
    upgrade(db_url, "0005")
    assert current(db_url) == "0005"
    assert await _with_connection(db_url, _people) == [(11, "王书记")]
    diff = await _with_connection(db_url, _schema_diff)
    assert [e for e in diff if not is_later_diff(e)] == []  # 0006 changes reminder_mutes, 0007 adds a table
    downgrade(db_url, "0004")
    assert not await _with_connection(db_url, _has_people)
    upgrade(db_url)
    assert await _with_connection(db_url, _schema_diff) == []
