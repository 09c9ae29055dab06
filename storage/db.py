"""Engine and session factory construction (nothing is created at import time)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file_path(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or ``None`` for in-memory / URI-style / non-SQLite URLs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def parameters_may_be_logged() -> bool:
    """True when the root logger or SQLAlchemy's engine logger is enabled for DEBUG."""
    return any(logging.getLogger(name).isEnabledFor(logging.DEBUG) for name in ("", "sqlalchemy.engine"))


def make_engine(url: str | URL, *, sqlite_foreign_keys: bool = True, **engine_kwargs: Any) -> AsyncEngine:
    """An :class:`AsyncEngine` for ``url`` (e.g. ``sqlite+aiosqlite:///./branchbot.db`` or
    ``postgresql+asyncpg://user@host/db``).

    For a SQLite file the parent folder is created, and every new connection gets
    ``PRAGMA foreign_keys=ON`` (SQLite leaves foreign keys unenforced otherwise, so
    ``ON DELETE CASCADE`` would silently do nothing). Migrations pass
    ``sqlite_foreign_keys=False`` because batch table rebuilds must run with enforcement off.
    Extra keyword arguments go to :func:`create_async_engine`.

    Statement parameters (users' messages, names, reasons) are left out of exception texts
    (``hide_parameters=True``), so an ``IntegrityError`` logged with its traceback does not copy a user's
    text into the log. Only when the engine is made while the root or the ``sqlalchemy.engine`` logger is
    enabled for DEBUG (``BRANCHBOT_LOG_LEVEL=DEBUG``) do they appear, for debugging. A caller may still pass
    ``hide_parameters`` itself.
    """
    path = sqlite_file_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine_kwargs.setdefault("hide_parameters", not parameters_may_be_logged())
    engine = create_async_engine(url, **engine_kwargs)
    if is_sqlite(url):
        pragma = "PRAGMA foreign_keys=ON" if sqlite_foreign_keys else "PRAGMA foreign_keys=OFF"

        @event.listens_for(engine.sync_engine, "connect")
        def _set_sqlite_pragma(dbapi_connection: Any, _connection_record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(pragma)
            finally:
                cursor.close()

    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (``expire_on_commit=False``)."""
    return async_sessionmaker(engine, expire_on_commit=False)
