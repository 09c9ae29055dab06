"""Alembic environment for branchbot (async engines; SQLite uses batch mode).

The database URL comes from ``config.attributes["sqlalchemy.url"]`` (set by
:mod:`storage.migrate`), falling back to the ``sqlalchemy.url`` main option. A caller may
also hand over an open synchronous connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection, make_url

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata

# Processes starting together (a webhook bot and the reminders timer after an upgrade) would otherwise both see
# an old revision and run the same migrations at once; on PostgreSQL the second waits for this lock, then finds
# the database current. A transaction-level lock: released when the migrations commit or roll back.
PG_MIGRATION_LOCK = 0x6272616E6368626F  # "branchbo"


def _url() -> str:
    url = config.attributes.get("sqlalchemy.url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: set config.attributes['sqlalchemy.url']")
    return str(url)


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit SQL to the script output instead of touching a database (``--sql``)."""
    url = _url()
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=make_url(url).get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    _configure(connection=connection, render_as_batch=is_sqlite)
    with context.begin_transaction():
        context.run_migrations()
    if is_sqlite:
        # Foreign keys are off during migrations (batch rebuilds drop and recreate tables,
        # which with enforcement on would cascade-delete child rows); check afterwards.
        problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if problems:
            raise RuntimeError(f"foreign key violations after migration: {problems[:10]}")


async def run_async_migrations() -> None:
    engine = make_engine(_url(), sqlite_foreign_keys=False, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # Taken first, so Alembic reads the revision only once it holds the lock (and, seeing the
                # transaction open, leaves it to the commit below).
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
                )
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
