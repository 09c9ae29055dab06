"""Revision 0004 (review, supervision, web login, webhook updates) on SQLite and PostgreSQL: one head; up, down,
up; the models match; records stored before it become pending_review; the constraints keep their names."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.migrate import alembic_config, current, downgrade, upgrade
from storage.models import Base

T = TypeVar("T")

TABLES_0004 = {"record_events", "supervisor_scopes", "login_links", "web_sessions", "webhook_updates"}
COLUMNS_0004 = {
    ("question_log", "confidence"),
    ("record_files", "thumb_sha256"),
    ("record_files", "thumb_made_at"),
    ("activity_records", "review_state"),
}


async def _with_connection(url: str, fn: Callable[[Connection], T]) -> T:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "compare_server_default": True, "target_metadata": Base.metadata},
    )
    return compare_metadata(context, Base.metadata)


def _shape(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    columns = {
        (table, c["name"]) for table in {t for t, _ in COLUMNS_0004} for c in inspector.get_columns(table)
    }
    return {"tables": tables & TABLES_0004, "columns": columns & COLUMNS_0004}


def _checks(connection: Connection) -> dict[str, list[str]]:
    inspector = inspect(connection)
    return {
        table: sorted(ck["name"] for ck in inspector.get_check_constraints(table))
        for table in ("activity_records", "record_events", "branches")
    }


LATER_TABLES = {"people"}  # revision 0005 (tests/storage/test_people_migration.py)
# What revision 0006 changes in reminder_mutes (tests/storage/test_mute_history_migration.py), what 0007 adds
# (tests/storage/test_profile_history_migration.py), what 0008 adds (branches.closed_at:
# tests/storage/test_branch_closing_migration.py), what 0009 adds (branch_closures:
# tests/storage/test_branch_closures_migration.py) and what 0010 adds (question_log.dismissed_at:
# tests/storage/test_question_dismissed_migration.py), as the models at head differ from an earlier revision's
# schema.
LATER_DIFF = frozenset(
    {"ended_at", "in_force", "uq_reminder_mutes_branch_id_kind", "uq_reminder_mutes_branch_id_kind_in_force"}
    | {"branch_profile_changes", "ix_branch_profile_changes_branch_id"}
    | {"closed_at"}
    | {"branch_closures", "ix_branch_closures_branch_id"}
    | {"dismissed_at"}
)


def is_later_diff(entry: Any) -> bool:
    """Whether a schema-diff entry is one of revision 0006's to 0010's changes (for the tests of earlier
    revisions)."""
    if isinstance(entry, list):  # modify_* entries come as lists of tuples
        return all(is_later_diff(e) for e in entry)
    named = entry[-1] if entry[0] == "add_column" else entry[1]
    return getattr(named, "name", None) in LATER_DIFF


def _diff_0004(connection: Connection) -> list[Any]:
    """The models against the database at 0004, leaving out what later revisions add."""
    return [
        e
        for e in _schema_diff(connection)
        if not (e[0] == "add_table" and e[1].name in LATER_TABLES) and not is_later_diff(e)
    ]


def test_0004_follows_0003():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_revision("0004").down_revision == "0003"


async def test_0004_up_down_up(db_url):
    upgrade(db_url, "0003")
    assert (await _with_connection(db_url, _shape)) == {"tables": set(), "columns": set()}
    upgrade(db_url, "0004")
    assert current(db_url) == "0004"
    assert (await _with_connection(db_url, _shape)) == {"tables": TABLES_0004, "columns": COLUMNS_0004}
    assert await _with_connection(db_url, _diff_0004) == []
    assert await _with_connection(db_url, _checks) == {
        "activity_records": ["ck_activity_records_review_state", "ck_activity_records_status"],
        "branches": ["ck_branches_form", "ck_branches_formal_members"],
        "record_events": ["ck_record_events_action", "ck_record_events_state"],
    }
    downgrade(db_url, "0003")
    assert current(db_url) == "0003"
    assert (await _with_connection(db_url, _shape)) == {"tables": set(), "columns": set()}
    upgrade(db_url)
    assert await _with_connection(db_url, _schema_diff) == []


def _seed_0003(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO branches (id, org_name, name, form, formal_members, created_at, updated_at) "
            "VALUES (1, '某公司', '第一支部', 'single', 5, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO activity_records (id, branch_id, kind, period, held_on, topic, absentees, details, "
            "status, submitted_by, created_at, updated_at) VALUES (7, 1, 'theme_day', '2026-11', '2026-11-02', "
            "'学习', '[]', '{}', 'active', 11, '2026-11-02 00:00:00', '2026-11-02 00:00:00')"
        )
    )
    connection.commit()


def _review_states(connection: Connection) -> list[tuple[int, str]]:
    return [tuple(r) for r in connection.execute(text("SELECT id, review_state FROM activity_records"))]


async def test_records_before_0004_wait_for_review(db_url):
    upgrade(db_url, "0003")
    await _with_connection(db_url, _seed_0003)
    upgrade(db_url, "0004")
    assert await _with_connection(db_url, _review_states) == [(7, "pending_review")]
    downgrade(db_url, "0003")  # the record survives the table rebuild both ways
    upgrade(db_url, "0004")
    assert await _with_connection(db_url, _review_states) == [(7, "pending_review")]


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///x.db", "postgresql+asyncpg://u@h/db"], ids=["sqlite", "pg"]
)
def test_offline_sql_0004(url):
    buffer = io.StringIO()
    config = alembic_config(url)
    config.output_buffer = buffer
    command.upgrade(config, "0003:0004", sql=True)
    sql = buffer.getvalue()
    for table in sorted(TABLES_0004):
        assert f"CREATE TABLE {table}" in sql
    assert "CONSTRAINT ck_activity_records_review_state CHECK" in sql
    assert "ON DELETE SET NULL" in sql
