"""The shipped Alembic migrations, on SQLite and PostgreSQL (see ``tests/fixtures_db.py``)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    current,
    downgrade,
    head_revision,
    upgrade,
    upgrade_async,
)
from storage.models import Base

T = TypeVar("T")

APP_TABLES = {"question_log", "feedback"}  # revision 0001
TABLES_0002 = {
    "branches",
    "invitations",
    "activity_records",
    "record_files",
    "record_amendments",
    "drafts",
    "ptb_state",
}
ALL_TABLES = APP_TABLES | TABLES_0002
# Every table of the models, whichever revision added it (later revisions have their own test modules).
MODEL_TABLES = set(Base.metadata.tables)


async def _with_connection(url: str, fn: Callable[[Connection], T]) -> T:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "compare_server_default": True, "target_metadata": Base.metadata},
    )
    return compare_metadata(context, Base.metadata)


def _constraint_names(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    return {
        "pk": {t: inspector.get_pk_constraint(t)["name"] for t in sorted(APP_TABLES)},
        "fk": [fk["name"] for fk in inspector.get_foreign_keys("feedback")],
        "fk_ondelete": [fk["options"].get("ondelete") for fk in inspector.get_foreign_keys("feedback")],
        "uq": [uq["name"] for uq in inspector.get_unique_constraints("feedback")],
        "ck": [ck["name"] for ck in inspector.get_check_constraints("feedback")],
        "ix": [ix["name"] for ix in inspector.get_indexes("question_log")],
    }


def test_head_is_the_newest_revision_file():
    newest = max(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert head_revision() == newest


async def test_upgrade_downgrade_upgrade(db_url):
    assert current(db_url) is None
    assert not (await _with_connection(db_url, _table_names)) & APP_TABLES

    upgrade(db_url)
    assert ALL_TABLES <= await _with_connection(db_url, _table_names)
    assert current(db_url) == head_revision()

    downgrade(db_url, "base")
    tables = await _with_connection(db_url, _table_names)
    assert not tables & APP_TABLES
    assert current(db_url) is None

    upgrade(db_url, "head")
    assert ALL_TABLES <= await _with_connection(db_url, _table_names)
    assert current(db_url) == head_revision()


async def test_upgrade_is_idempotent(db_url):
    await upgrade_async(db_url)
    await upgrade_async(db_url)
    assert current(db_url) == head_revision()


def test_sync_api_without_running_loop(db_url):
    """Plain synchronous callers (CLI) run the migration in their own thread."""
    upgrade(db_url)
    assert current(db_url) == head_revision()
    downgrade(db_url, "base")
    assert current(db_url) is None


async def test_models_match_migrations(db_url):
    await upgrade_async(db_url)
    assert await _with_connection(db_url, _schema_diff) == []


async def test_schema_comparison_is_not_vacuous(db_url):
    """Without the migration applied the comparison does report the missing tables."""
    diff = await _with_connection(db_url, _schema_diff)
    added = {entry[1].name for entry in diff if entry[0] == "add_table"}
    assert added == MODEL_TABLES and ALL_TABLES <= added


async def test_constraint_names_are_stable(db_url):
    await upgrade_async(db_url)
    names = await _with_connection(db_url, _constraint_names)
    assert names == {
        "pk": {"feedback": "pk_feedback", "question_log": "pk_question_log"},
        "fk": ["fk_feedback_question_id_question_log"],
        "fk_ondelete": ["CASCADE"],
        "uq": ["uq_feedback_question_id_user_id"],
        "ck": ["ck_feedback_value"],
        "ix": ["ix_question_log_created_at"],
    }


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///x.db", "postgresql+asyncpg://u@h/db"], ids=["sqlite", "pg"]
)
def test_offline_sql(url):
    """``--sql`` mode renders the DDL without touching a database."""
    buffer = io.StringIO()
    config = alembic_config(url)
    config.output_buffer = buffer
    command.upgrade(config, "head", sql=True)
    sql = buffer.getvalue()
    assert "CREATE TABLE question_log" in sql
    assert "CONSTRAINT ck_feedback_value CHECK" in sql
    assert "ON DELETE CASCADE" in sql


async def test_step_by_step_0001_0002_and_back(db_url):
    """0002 applies on top of 0001 and its downgrade returns exactly to 0001, then to base."""
    upgrade(db_url, "0001")
    assert current(db_url) == "0001"
    tables = await _with_connection(db_url, _table_names)
    assert APP_TABLES <= tables and not tables & TABLES_0002

    upgrade(db_url, "0002")
    assert current(db_url) == "0002"
    assert ALL_TABLES <= await _with_connection(db_url, _table_names)
    # Only what later revisions add is missing (none once 0002 is head).
    assert all(entry[0] in _LATER for entry in await _with_connection(db_url, _schema_diff))

    downgrade(db_url, "0001")
    assert current(db_url) == "0001"
    tables = await _with_connection(db_url, _table_names)
    assert APP_TABLES <= tables and not tables & TABLES_0002
    # What is left is exactly revision 0001: only the 0002 tables are reported missing.
    diff = await _with_connection(db_url, _schema_diff)
    assert {entry[1].name for entry in diff if entry[0] == "add_table"} == MODEL_TABLES - APP_TABLES
    assert all(entry[0] in _LATER for entry in diff)

    downgrade(db_url, "base")
    assert current(db_url) is None
    assert not (await _with_connection(db_url, _table_names)) & ALL_TABLES

    upgrade(db_url)
    assert current(db_url) == head_revision()
    assert await _with_connection(db_url, _schema_diff) == []


# What the comparison reports for the revisions after one: new tables, columns and indexes.
_LATER = ("add_table", "add_index", "add_column")


def _constraint_names_0002(connection: Connection) -> dict[str, Any]:
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
        for table in sorted(TABLES_0002)
    }


async def test_constraint_names_are_stable_0002(db_url):
    await upgrade_async(db_url, "0002")
    names = await _with_connection(db_url, _constraint_names_0002)

    def fk(table: str, target: str = "branches", column: str = "branch_id") -> list[tuple[str, str]]:
        return [(f"fk_{table}_{column}_{target}", "CASCADE")]

    assert names == {
        "activity_records": {
            "pk": "pk_activity_records",
            "fk": fk("activity_records"),
            "uq": [],
            "ck": ["ck_activity_records_status"],
            "ix": ["ix_activity_records_branch_id_kind_period"],
        },
        "branches": {
            "pk": "pk_branches",
            "fk": [],
            "uq": ["uq_branches_secretary_user_id"],
            "ck": ["ck_branches_form", "ck_branches_formal_members"],
            "ix": [],
        },
        "drafts": {
            "pk": "pk_drafts",
            "fk": fk("drafts"),
            "uq": ["uq_drafts_user_id"],
            "ck": [],
            "ix": [],
        },
        "invitations": {
            "pk": "pk_invitations",
            "fk": fk("invitations"),
            "uq": ["uq_invitations_code_hash"],
            "ck": [],
            "ix": ["ix_invitations_branch_id"],
        },
        "ptb_state": {"pk": "pk_ptb_state", "fk": [], "uq": [], "ck": [], "ix": []},
        "record_amendments": {
            "pk": "pk_record_amendments",
            "fk": fk("record_amendments", "activity_records", "record_id"),
            "uq": [],
            "ck": [],
            "ix": ["ix_record_amendments_record_id"],
        },
        "record_files": {
            "pk": "pk_record_files",
            "fk": fk("record_files", "activity_records", "record_id"),
            "uq": ["uq_record_files_record_id_telegram_file_unique_id"],
            "ck": ["ck_record_files_role"],
            "ix": ["ix_record_files_sha256"],
        },
    }


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///x.db", "postgresql+asyncpg://u@h/db"], ids=["sqlite", "pg"]
)
def test_offline_sql_0002(url):
    buffer = io.StringIO()
    config = alembic_config(url)
    config.output_buffer = buffer
    command.upgrade(config, "0001:0002", sql=True)
    sql = buffer.getvalue()
    assert "CREATE TABLE question_log" not in sql
    for table in sorted(TABLES_0002):
        assert f"CREATE TABLE {table}" in sql
    assert "CONSTRAINT ck_branches_form CHECK (form IN ('single', 'joint', 'attached'))" in sql
    assert "CONSTRAINT uq_branches_secretary_user_id UNIQUE (secretary_user_id)" in sql
    # "key" is a keyword in SQLite, so it is quoted there.
    assert re.search(r'CONSTRAINT pk_ptb_state PRIMARY KEY \(kind, "?key"?\)', sql)
