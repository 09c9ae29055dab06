"""The shipped Alembic migrations, on SQLite and PostgreSQL (see ``tests/fixtures_db.py``)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.migrate import alembic_config, current, downgrade, head_revision, upgrade, upgrade_async
from storage.models import Base

T = TypeVar("T")

APP_TABLES = {"question_log", "feedback"}


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


def test_head_is_0001():
    assert head_revision() == "0001"


async def test_upgrade_downgrade_upgrade(db_url):
    assert current(db_url) is None
    assert not (await _with_connection(db_url, _table_names)) & APP_TABLES

    upgrade(db_url)
    assert APP_TABLES <= await _with_connection(db_url, _table_names)
    assert current(db_url) == "0001"

    downgrade(db_url, "base")
    tables = await _with_connection(db_url, _table_names)
    assert not tables & APP_TABLES
    assert current(db_url) is None

    upgrade(db_url, "head")
    assert APP_TABLES <= await _with_connection(db_url, _table_names)
    assert current(db_url) == head_revision()


async def test_upgrade_is_idempotent(db_url):
    await upgrade_async(db_url)
    await upgrade_async(db_url)
    assert current(db_url) == "0001"


def test_sync_api_without_running_loop(db_url):
    """Plain synchronous callers (CLI) run the migration in their own thread."""
    upgrade(db_url)
    assert current(db_url) == "0001"
    downgrade(db_url, "base")
    assert current(db_url) is None


async def test_models_match_migrations(db_url):
    await upgrade_async(db_url)
    assert await _with_connection(db_url, _schema_diff) == []


async def test_schema_comparison_is_not_vacuous(db_url):
    """Without the migration applied the comparison does report the missing tables."""
    diff = await _with_connection(db_url, _schema_diff)
    added = {entry[1].name for entry in diff if entry[0] == "add_table"}
    assert added == APP_TABLES


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
