"""``DATABASE_URL``'s checks that need no database (part of ``bot.config``): a SQLAlchemy URL for a driver the
project installs, with nothing the driver or the bot would misread. Each message is a Chinese sentence that
never repeats the password (nor any part of a URL whose password could not be told apart)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# The async drivers the project installs, by backend.
SUPPORTED_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
DATABASE_URL_EXAMPLE = "sqlite+aiosqlite:///./branchbot.db 或 postgresql+asyncpg://用户:密码@主机:5432/库名"


def check_database_url(url: str) -> None:
    """Raise ``ValueError`` (a Chinese sentence without the password) unless ``url`` is a SQLAlchemy URL
    for one of :data:`SUPPORTED_DRIVERS`."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    _check_authority(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(f"无法解析；应形如 {DATABASE_URL_EXAMPLE}") from None
    if "@" in (parsed.host or ""):  # "user:p/ss@word@host": the password holds '/' and '@'
        raise ValueError(AT_IN_PASSWORD)
    backend, _, driver = parsed.drivername.partition("+")
    if SUPPORTED_DRIVERS.get(backend) != driver:
        hint = f"{backend}+{SUPPORTED_DRIVERS[backend]}" if backend in SUPPORTED_DRIVERS else None
        advice = f"请改用 {hint}://" if hint else f"只支持 SQLite 和 PostgreSQL，例如 {DATABASE_URL_EXAMPLE}"
        raise ValueError(f"不支持的数据库驱动“{parsed.drivername}”；{advice}")
    if backend == "postgresql" and not parsed.database:
        raise ValueError("没有写数据库名；应形如 postgresql+asyncpg://用户:密码@主机:5432/库名")
    if backend == "postgresql" and "sslmode" in parsed.query:
        raise ValueError(
            "asyncpg 不认识 libpq 的 sslmode 参数；请把 ?sslmode=… 改成 ?ssl=…（例如 ?ssl=require，"
            "取值同 sslmode：disable、prefer、require、verify-ca、verify-full）"
        )
    if backend == "sqlite" and _in_memory(parsed.database, parsed.query):
        raise ValueError(
            "不能用 SQLite 内存数据库（sqlite+aiosqlite:// 或 :memory:）：数据库迁移在另一个进程里进行，"
            "数据也会在退出时全部丢失；请写数据库文件的路径，例如 sqlite+aiosqlite:///./branchbot.db"
        )


AT_IN_PASSWORD = (
    "用户名或密码中含有未编码的“@”，无法分清密码和主机；请把密码里的 @ 写成 %40"
    "（其他特殊字符如 : / ? # % 也要百分号编码，例如 %3A %2F %3F %23 %25）"
)


def _check_authority(url: str) -> None:
    """More than one ``@`` before the host: SQLAlchemy would take part of the password for the host (and show
    it in every message). The message never repeats any part of the URL."""
    _, sep, rest = url.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0] if sep else ""
    if authority.count("@") > 1:
        raise ValueError(AT_IN_PASSWORD)


def _in_memory(database: str | None, query: Mapping[str, Any]) -> bool:
    """``sqlite+aiosqlite://``, ``…/:memory:`` and URI-style ``file::memory:`` / ``?mode=memory``."""
    if not database or database == ":memory:":
        return True
    return database.startswith("file:") and (":memory:" in database or query.get("mode") == "memory")
