"""Run the Alembic migrations shipped in ``storage/migrations`` (no ``alembic.ini`` needed).

The synchronous functions may be called from plain code or from inside a running event loop:
``env.py`` drives an async engine with its own ``asyncio.run``, so when the calling thread
already runs a loop the work moves to a worker thread (the caller's loop is blocked meanwhile;
in async code prefer :func:`upgrade_async`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection

from storage.db import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported by the functions that use it: ``branchbot run`` checks the revision without it and runs
# the migrations in a child process (bot.migration), so the bot never carries Alembic (about 7 MB).

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic :class:`Config` for the shipped migrations, pointed at ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # Kept out of the ini options, where ``%`` in a password would trip interpolation.
        config.attributes["sqlalchemy.url"] = (
            url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        )
    return config


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _off_loop(fn: Callable[[], T]) -> T:
    """Run ``fn`` here, or in a worker thread if this thread is running an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="branchbot-migrate") as pool_:
        return pool_.submit(fn).result()


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: the newest)."""
    from alembic import command

    config = alembic_config(url)
    _off_loop(lambda: command.upgrade(config, revision))


def downgrade(url: str | URL, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``"base"`` removes every table)."""
    from alembic import command

    config = alembic_config(url)
    _off_loop(lambda: command.downgrade(config, revision))


async def upgrade_async(url: str | URL, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, url, revision)


def current(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at, or ``None`` if it was never migrated."""

    def _read(connection: Connection) -> str | None:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()

    async def _run() -> str | None:
        engine = make_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(_read)
        finally:
            await engine.dispose()

    return _off_loop(lambda: asyncio.run(_run()))
