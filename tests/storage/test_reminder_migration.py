"""Revision 0003 (reminders) on SQLite and PostgreSQL: up, down, up; the models match; stable names."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.migrate import alembic_config, current, downgrade, head_revision, upgrade
from storage.models import Base
from tests.storage.test_review_migration import is_later_diff

T = TypeVar("T")

TABLES_0003 = {"reminder_deliveries", "reminder_mutes"}
BRANCH_COLUMNS_0003 = {"reminder_hour", "secretary_unreachable_at"}


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
    return {
        "tables": tables & TABLES_0003,
        "branch_columns": {c["name"] for c in inspector.get_columns("branches")} & BRANCH_COLUMNS_0003,
    }


def _mentions_0003(entry: Any) -> bool:
    """Whether a comparison entry is about something revision 0003 adds."""
    if entry[0] in ("add_table", "remove_table"):
        return entry[1].name in TABLES_0003
    if entry[0] in ("add_column", "remove_column"):
        return entry[2] == "branches" and entry[3].name in BRANCH_COLUMNS_0003
    if entry[0] in ("add_index", "remove_index"):
        return entry[1].table.name in TABLES_0003
    return False


def _names(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    return {
        table: {
            "pk": inspector.get_pk_constraint(table)["name"],
            "fk": sorted(
                (fk["name"], fk["options"].get("ondelete")) for fk in inspector.get_foreign_keys(table)
            ),
            "uq": sorted(uq["name"] for uq in inspector.get_unique_constraints(table)),
            "ck": sorted(ck["name"] for ck in inspector.get_check_constraints(table)),
            "ix": sorted(ix["name"] for ix in inspector.get_indexes(table) if not ix.get("unique")),
        }
        for table in sorted(TABLES_0003)
    }


async def test_0003_up_down_up(db_url):
    upgrade(db_url, "0002")
    assert await _with_connection(db_url, _shape) == {"tables": set(), "branch_columns": set()}

    upgrade(db_url, "0003")
    assert current(db_url) == "0003"
    assert await _with_connection(db_url, _shape) == {
        "tables": TABLES_0003,
        "branch_columns": BRANCH_COLUMNS_0003,
    }
    # Everything 0003 adds matches the models (what later revisions add may still be missing here).
    diff = await _with_connection(db_url, _schema_diff)
    assert not [e for e in diff if _mentions_0003(e) and not is_later_diff(e)]

    downgrade(db_url, "0002")
    assert current(db_url) == "0002"
    assert await _with_connection(db_url, _shape) == {"tables": set(), "branch_columns": set()}
    diff = await _with_connection(db_url, _schema_diff)
    assert {e[1].name for e in diff if e[0] == "add_table"} >= TABLES_0003
    assert {e[3].name for e in diff if e[0] == "add_column" and e[2] == "branches"} >= BRANCH_COLUMNS_0003

    upgrade(db_url)
    assert current(db_url) == head_revision()
    assert await _with_connection(db_url, _schema_diff) == []


async def test_0003_downgrade_keeps_the_branches(db_url):
    """Dropping the columns (a table rebuild on SQLite) keeps the branches and what points at them."""
    upgrade(db_url, "0003")
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO branches (id, org_name, name, form, formal_members, created_at, updated_at,"
                    " reminder_hour) VALUES (7, 'o', 'n', 'single', 3, :t, :t, 10)"
                ),
                {"t": "2026-11-01 00:00:00"}
                if "sqlite" in db_url
                else {"t": datetime(2026, 11, 1, tzinfo=UTC)},
            )
    finally:
        await engine.dispose()
    downgrade(db_url, "0002")
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT id, name FROM branches"))).all() == [(7, "n")]
    finally:
        await engine.dispose()


async def test_0003_constraint_names(db_url):
    upgrade(db_url, "0003")
    assert await _with_connection(db_url, _names) == {
        "reminder_deliveries": {
            "pk": "pk_reminder_deliveries",
            "fk": [("fk_reminder_deliveries_branch_id_branches", "CASCADE")],
            "uq": ["uq_reminder_deliveries_audience_target_id_cadence_period_stage"],
            "ck": [
                "ck_reminder_deliveries_attempts",
                "ck_reminder_deliveries_audience",
                "ck_reminder_deliveries_cadence",
                "ck_reminder_deliveries_stage",
                "ck_reminder_deliveries_status",
            ],
            "ix": ["ix_reminder_deliveries_branch_id", "ix_reminder_deliveries_status_next_attempt_at"],
        },
        "reminder_mutes": {
            "pk": "pk_reminder_mutes",
            "fk": [("fk_reminder_mutes_branch_id_branches", "CASCADE")],
            "uq": ["uq_reminder_mutes_branch_id_kind"],
            "ck": [],
            "ix": [],
        },
    }


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///x.db", "postgresql+asyncpg://u@h/db"], ids=["sqlite", "pg"]
)
def test_offline_sql_0003(url):
    buffer = io.StringIO()
    config = alembic_config(url)
    config.output_buffer = buffer
    command.upgrade(config, "0002:0003", sql=True)
    sql = buffer.getvalue()
    assert "CREATE TABLE reminder_deliveries" in sql and "CREATE TABLE reminder_mutes" in sql
    assert "ALTER TABLE branches ADD COLUMN reminder_hour SMALLINT" in sql
    assert "CONSTRAINT uq_reminder_deliveries_audience_target_id_cadence_period_stage UNIQUE" in sql
