"""Revision 0006 (the mutes' history) on SQLite and PostgreSQL: the head; up, down, up; the models match; the
mutes there were are kept, current; one current mute per branch and kind, any number of ended ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

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


def test_0006_follows_0005():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_revision("0006").down_revision == "0005"


def _diff_0006(connection: Connection) -> list:
    """The models' difference from the schema, less what revisions 0007 and 0008 add."""
    return [
        d
        for d in _schema_diff(connection)
        if d[0] not in ("add_table", "add_index", "add_column") or not is_later_diff(d)
    ]


def _seed(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO branches (id, org_name, name, form, formal_members, created_at, updated_at) "
            "VALUES (1, '某公司', '支部1', 'single', 5, '2026-01-05 00:00:00', '2026-01-05 00:00:00')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO reminder_mutes (branch_id, kind, reason, period, created_by, created_at) "
            "VALUES (1, 'lecture', '暂无授课人', NULL, 11, '2026-04-02 01:00:00+00')"
        )
    )
    connection.commit()


def _mutes(connection: Connection) -> list[tuple]:
    rows = connection.execute(text("SELECT branch_id, kind, reason, period FROM reminder_mutes ORDER BY id"))
    return [tuple(r) for r in rows]


def _in_force(connection: Connection) -> list[tuple]:
    rows = connection.execute(text("SELECT in_force, ended_at FROM reminder_mutes ORDER BY id"))
    return [(bool(r[0]) if r[0] is not None else None, r[1]) for r in rows]


def _insert(connection: Connection, ended: str | None) -> None:
    value = "NULL" if ended is None else f"'{ended}'"
    try:
        connection.execute(
            text(
                "INSERT INTO reminder_mutes (branch_id, kind, reason, period, created_by, created_at, ended_at, "
                f"in_force) VALUES (1, 'lecture', '另一条', NULL, 11, '2026-04-03 01:00:00+00', {value}, "
                f"{'true' if ended is None else 'NULL'})"
            )
        )
    finally:
        connection.commit()


async def test_0006_up_down_up_keeps_the_mutes(db_url):
    upgrade(db_url, "0005")
    await _with_connection(db_url, _seed)
    upgrade(db_url, "0006")
    assert current(db_url) == "0006"
    assert await _with_connection(db_url, _mutes) == [(1, "lecture", "暂无授课人", None)]
    assert await _with_connection(db_url, _in_force) == [(True, None)]  # kept, and current
    assert await _with_connection(db_url, _diff_0006) == []
    await _with_connection(db_url, lambda c: _insert(c, "2026-04-03 02:00:00+00"))  # an ended one: fine
    with pytest.raises(IntegrityError):
        await _with_connection(db_url, lambda c: _insert(c, None))  # a second current one: refused
    downgrade(db_url, "0005")
    assert await _with_connection(db_url, _mutes) == [(1, "lecture", "暂无授课人", None)]
    upgrade(db_url)
    assert await _with_connection(db_url, _schema_diff) == []
