"""Database fixtures (a pytest plugin listed in ``tests/conftest.py``).

``db_url`` runs each test twice: on a fresh SQLite file and on a fresh PostgreSQL database
(created on the server at 127.0.0.1:5432 and dropped afterwards). The PostgreSQL run is
skipped only when that server cannot be reached. ``BRANCHBOT_TEST_PG_DSN`` overrides the
maintenance DSN the databases are created from.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_async

T = TypeVar("T")

PG_ADMIN_DSN = os.environ.get("BRANCHBOT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
PG_CONNECT_TIMEOUT = 2.0
TEST_DB_PREFIX = "branchbot_t_"


def _run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a private loop in a worker thread.

    Keeps the admin work off (and independent of) whatever loop pytest-asyncio manages.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _admin_dsn(database: str) -> str:
    head, _, _ = PG_ADMIN_DSN.rpartition("/")
    return f"{head}/{database}"


async def _admin_connect() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(PG_ADMIN_DSN, timeout=PG_CONNECT_TIMEOUT)
    except asyncpg.InvalidCatalogNameError:  # no "test" database: use the default one
        return await asyncpg.connect(_admin_dsn("postgres"), timeout=PG_CONNECT_TIMEOUT)


async def _probe_pg() -> str | None:
    """``None`` if the server answers, else why not."""
    try:
        conn = await _admin_connect()
    except (OSError, TimeoutError, asyncpg.CannotConnectNowError) as exc:
        # Refused / timed out / still starting. Anything else (e.g. bad auth) is a real error.
        return f"PostgreSQL at {PG_ADMIN_DSN} unreachable: {type(exc).__name__}: {exc}"
    await conn.close()
    return None


async def _create_pg_database(name: str) -> None:
    conn = await _admin_connect()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_pg_database(name: str) -> None:
    conn = await _admin_connect()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_unavailable_reason() -> str | None:
    """Checked once per session, with a short timeout."""
    return _run_async(_probe_pg())


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The async URL of an empty, private database (SQLite file or PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'branchbot.db'}"
        return
    reason = request.getfixturevalue("pg_unavailable_reason")
    if reason is not None:
        pytest.skip(reason)
    name = f"{TEST_DB_PREFIX}{secrets.token_hex(6)}"
    _run_async(_create_pg_database(name))
    try:
        yield _admin_dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        _run_async(_drop_pg_database(name))


@pytest.fixture
async def session_factory(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the ``db_url`` database, migrated to head."""
    await upgrade_async(db_url)
    engine = make_engine(db_url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()
