"""What ``branchbot run`` checks before it polls, and the one line it prints when a check fails.

Every failure is a :class:`StartupError`: one Chinese line that names the setting and what to do (never the
token, never a database password) and an exit status:

* ``2`` (:data:`EXIT_SETTINGS`): a setting is wrong (a malformed or revoked token, a bad URL, time zone, id
  list, a folder that cannot be written, a PostgreSQL database that does not exist, a refused login, a
  database newer than the code, a web port in use). Restarting cannot help; with systemd, add
  ``RestartPreventExitStatus=2``.
* ``1`` (:data:`EXIT_UNREACHABLE`): a service could not be reached (Telegram or the database server refuses
  the connection, times out, or answers 5xx/429; another process holds the SQLite database's lock).
  ``Restart=on-failure`` restarts the bot until it is back.

The checks, in the order ``run`` makes them: token present, data folder writable, knowledge-base folder a
folder, SQLite folder writable, database migrated (:func:`migrate_database`), then one ``getMe`` through
``Application.initialize()`` (:func:`start_telegram`) before polling starts. ``branchbot check``
(``bot.check``) runs the same checks without changing anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.config import Settings
from bot.errors import EXIT_SETTINGS, EXIT_UNREACHABLE, StartupError
from bot.logging_setup import one_line as short

if TYPE_CHECKING:
    from telegram import User
    from telegram.ext import Application

__all__ = ["EXIT_SETTINGS", "EXIT_UNREACHABLE", "StartupError", "run"]

log = logging.getLogger(__name__)

TELEGRAM_HOST = "api.telegram.org"
MISSING_TOKEN = "未设置 TELEGRAM_BOT_TOKEN：请先设置机器人令牌（向 @BotFather 获取），例如写入 .env 文件"


def require_token(settings: Settings) -> str:
    if not settings.token:
        raise StartupError(MISSING_TOKEN)
    return settings.token


# -- folders --------------------------------------------------------------------------------------------------


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "路径上有同名的普通文件"
    if isinstance(exc, PermissionError):
        return "没有写权限"
    if exc.errno == errno.EROFS:
        return "文件系统只读"
    if exc.errno == errno.ENOSPC:
        return "磁盘已满"
    return exc.strerror or type(exc).__name__


def probe_writable(folder: Path, *, create: bool = True) -> None:
    """Write and remove a small file in ``folder``; ``OSError`` if that is not possible.

    A real write, not ``os.access``: root passes every permission check, a read-only mount does not.
    ``create``: make the folder (and its parents) first; otherwise probe the nearest folder that exists,
    where the missing ones would be made (``branchbot check`` changes nothing).
    """
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    else:
        while not folder.exists() and folder.parent != folder:
            folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(folder))
    fd, name = tempfile.mkstemp(prefix=".branchbot-probe-", dir=folder)
    os.close(fd)
    os.unlink(name)


def check_data_dir(settings: Settings, *, create: bool = True) -> str:
    folder = settings.data_dir
    try:
        probe_writable(folder, create=create)
    except OSError as exc:
        raise StartupError(
            f"BRANCHBOT_DATA_DIR：无法在“{os.path.abspath(folder)}”中写入文件（{_os_reason(exc)}）；"
            "请改为一个可写的文件夹，或修正它的权限"
        ) from None
    later = "" if folder.is_dir() else "（尚未创建，启动时会创建）"
    return f"数据目录可写：{os.path.abspath(folder)}{later}"


def check_kb_dir(settings: Settings) -> str:
    folder = settings.kb_dir
    if folder is None:
        return "知识库：只用内置的讲话（未设置 BRANCHBOT_KB_DIR）"
    if not folder.is_dir():
        what = "不存在" if not folder.exists() else "不是文件夹"
        raise StartupError(
            f"BRANCHBOT_KB_DIR：“{os.path.abspath(folder)}”{what}；请指向放 UTF-8 .txt 文件的文件夹，"
            "不用时请删掉这一项"
        )
    return f"知识库文件夹：{os.path.abspath(folder)}"


def check_database_folder(settings: Settings, *, create: bool = True) -> str | None:
    """For a SQLite file: its folder is writable and the file, if any, is a file we can open for writing."""
    from storage.db import sqlite_file_path

    path = sqlite_file_path(settings.database_url)
    if path is None:
        return None
    where = os.path.abspath(path)
    try:
        probe_writable(path.parent, create=create)
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if path.exists():
            with path.open("r+b"):
                pass
    except IsADirectoryError:
        raise StartupError(
            f"DATABASE_URL：“{where}”是文件夹，不是数据库文件；请在路径末尾写上文件名"
        ) from None
    except OSError as exc:
        raise StartupError(
            f"DATABASE_URL：无法写入 SQLite 数据库“{where}”（{_os_reason(exc)}）；"
            "请改为可写文件夹中的文件，或修正权限"
        ) from None
    return f"SQLite 数据库文件夹可写：{os.path.dirname(where)}"


# -- database -------------------------------------------------------------------------------------------------


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps (SQLAlchemy's ``orig``, ``__cause__``, ``__context__``), each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]


def describe_database(url: str) -> str:
    """The URL without its password, for messages. A URL whose password holds an unencoded ``@`` is parsed with
    part of the password in the host: then only the text after the last ``@`` is kept as the host."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # not shown at all: any part of it may be a password
        return "（无法解析的 DATABASE_URL，已隐藏）"
    host = parsed.host or ""
    if "@" in host:
        parsed = parsed.set(password="***", host=host.rpartition("@")[2])
    return parsed.render_as_string(hide_password=True)


# SQLite's result codes for "another connection holds a lock" (sqlite3.Error.sqlite_errorcode, primary code).
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


def _sqlite_locked(cause: BaseException) -> bool:
    code = getattr(cause, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in (SQLITE_BUSY, SQLITE_LOCKED):
        return True
    return "is locked" in str(cause).lower()  # "database is locked", "database table is locked"


def _sqlite_error(cause: BaseException, where: str) -> StartupError:
    if _sqlite_locked(cause):  # a backup, an import or an export holds it: a retry will do
        return StartupError(
            f"DATABASE_URL：SQLite 数据库暂时被其他进程锁住（{short(cause, 60)}）：{where}；"
            "可能正在备份、导入或导出，稍后重试",
            EXIT_UNREACHABLE,
        )
    return StartupError(
        f"DATABASE_URL：SQLite 数据库无法使用（{short(cause, 80)}）：{where}；请确认它是可写的数据库文件"
    )


def _migration_error(cause: BaseException, where: str) -> StartupError:
    """Alembic's ``CommandError``: the database's or the asked revision is unknown, or no such step exists.
    Restarting cannot fix that (exit 2)."""
    missing = re.search(r"Can't locate revision identified by '([^']*)'", str(cause))
    if missing:
        return StartupError(
            f"DATABASE_URL：数据库版本 {missing.group(1)} 不是本程序的迁移（数据库比本程序新，"
            f"或指向了别的库）：{where}；请升级程序，或改正 DATABASE_URL"
        )
    return StartupError(f"数据库迁移无法进行（{short(cause, 80)}）：{where}")


def _is_alembic_command_error(cause: BaseException) -> bool:  # without importing Alembic into the bot
    return type(cause).__name__ == "CommandError" and type(cause).__module__.startswith("alembic")


def database_error(exc: BaseException, settings: Settings) -> StartupError:
    """The line for a failed connection or migration, and whether a retry can help."""
    return database_url_error(exc, settings.database_url)


def database_url_error(exc: BaseException, url: str) -> StartupError:
    """:func:`database_error` for a database URL (the migration child has no settings)."""
    import asyncpg

    from storage.db import is_sqlite

    where = describe_database(url)
    sqlite = is_sqlite(url)
    for cause in _causes(exc):
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return StartupError(
                f"DATABASE_URL：数据库服务器上没有这个数据库（{short(cause)}）；请先创建它"
                f"（例如 createdb），或改正 DATABASE_URL：{where}"
            )
        if isinstance(cause, asyncpg.InvalidAuthorizationSpecificationError | asyncpg.InvalidPasswordError):
            return StartupError(
                f"DATABASE_URL：数据库拒绝了登录（{short(cause)}）；请检查用户名和密码：{where}"
            )
        if isinstance(cause, asyncpg.InsufficientPrivilegeError):
            return StartupError(
                f"DATABASE_URL：数据库用户权限不足（{short(cause, 60)}）；请授予它建表和读写的权限：{where}"
            )
        if sqlite and (isinstance(cause, OSError) or type(cause).__module__ == "sqlite3"):
            return _sqlite_error(cause, where)
        if _is_alembic_command_error(cause):
            return _migration_error(cause, where)
        if isinstance(cause, TimeoutError | asyncpg.CannotConnectNowError):
            return StartupError(
                f"连不上数据库服务器（超时或正在启动）：{where}；请确认它在运行，稍后重试", EXIT_UNREACHABLE
            )
        if isinstance(cause, OSError):
            reason = "连接被拒绝" if isinstance(cause, ConnectionRefusedError) else short(cause, 60)
            return StartupError(
                f"连不上数据库服务器（{reason}）：{where}；请确认它在运行、地址和端口正确，稍后重试",
                EXIT_UNREACHABLE,
            )
    return StartupError(
        f"数据库操作失败（{type(exc).__name__}：{short(exc, 80)}）：{where}", EXIT_UNREACHABLE
    )


def migrate_database(settings: Settings) -> str:
    """Apply the migrations (``branchbot run``): the database is reachable and at the newest revision. They run
    in a child process, and only if the database is not at the newest revision already (``bot.migration``)."""
    from bot.migration import ensure_current

    try:
        ensure_current(settings.database_url)
    except StartupError:
        raise
    except Exception as exc:
        raise database_error(exc, settings) from None
    return f"数据库已是最新版本：{describe_database(settings.database_url)}"


# -- Telegram -------------------------------------------------------------------------------------------------


def telegram_host(settings: Settings) -> str:
    base = settings.telegram_api_base_url
    return (urlsplit(base).netloc or base) if base else TELEGRAM_HOST


def telegram_error(exc: Exception, settings: Settings) -> StartupError:
    """The line for a failed ``getMe``: a refused token is a setting (2), anything else a service (1)."""
    import httpx
    from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

    from bot.app import retry_after_seconds

    host = telegram_host(settings)
    if isinstance(exc, InvalidToken):
        # PTB's own text quotes the token; the answer of the server is the cause, if any.
        answer = f"（{short(exc.__cause__, 40)}）" if isinstance(exc.__cause__, InvalidToken) else ""
        hint = "；也请检查 TELEGRAM_API_BASE_URL" if settings.telegram_api_base_url else ""
        return StartupError(
            f"TELEGRAM_BOT_TOKEN：Telegram（{host}）拒绝了这个令牌{answer}；令牌无效或已被撤销，"
            f"请向 @BotFather 重新获取并更新配置{hint}"
        )
    if isinstance(exc, TimedOut):
        reason = "请求超时"
    elif isinstance(exc, RetryAfter):
        reason = f"请求太频繁，需等待 {retry_after_seconds(exc):.0f} 秒"
    elif isinstance(exc, NetworkError) and isinstance(exc.__cause__, httpx.ConnectError):
        reason = "无法建立连接"
    elif isinstance(exc, NetworkError) and isinstance(exc.__cause__, httpx.HTTPError):
        reason = f"网络错误：{type(exc.__cause__).__name__}"
    else:
        reason = f"服务器答复：{short(exc, 60)}"
    return StartupError(
        f"无法连接 Telegram（{host}）：{reason}；请检查网络、代理或 TELEGRAM_API_BASE_URL，稍后重试",
        EXIT_UNREACHABLE,
    )


async def start_telegram(application: Application, settings: Settings) -> User:
    """``Application.initialize()``: one ``getMe`` checks the token and that Telegram answers.

    On failure the HTTP clients and the database engine are closed (a process left with an open aiosqlite
    thread would not exit) and a Telegram failure becomes a :class:`StartupError` (exit 1 if Telegram is
    unreachable or failing, so systemd's ``Restart=on-failure`` tries again later).
    """
    from telegram.error import TelegramError

    try:
        await application.initialize()
    except Exception as exc:
        for close in (application.bot.shutdown, application.bot.request.shutdown):
            with contextlib.suppress(Exception):
                await close()
        if application.post_shutdown is not None:
            with contextlib.suppress(Exception):
                await application.post_shutdown(application)
        if isinstance(exc, TelegramError):
            raise telegram_error(exc, settings) from None
        raise
    return application.bot.bot


def bot_name(user: User) -> str:
    return f"@{user.username}" if user.username else re.sub(r"\s+", " ", user.full_name)


# -- run ------------------------------------------------------------------------------------------------------

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
PREFLIGHT = (check_data_dir, check_kb_dir, check_database_folder, migrate_database)


def build_services_or_fail(settings: Settings):
    from bot.app import build_services

    try:
        return build_services(settings)
    except Exception as exc:
        log.debug("building the services failed", exc_info=True)
        what = f"{type(exc).__name__}：{short(exc, 60)}"
        if isinstance(exc, ImportError | SyntaxError):  # a half-written update, not the speeches (helper-110)
            raise StartupError(f"程序文件不完整（{what}）；请重新安装 branchbot", EXIT_SETTINGS) from None
        where = "BRANCHBOT_KB_DIR 中的文件" if settings.kb_dir else "内置的讲话"
        raise StartupError(f"知识库加载失败（{what}）；请检查{where}", EXIT_SETTINGS) from None


def start(settings: Settings) -> Application:
    """The checks, the services and the application, initialised (``getMe`` answered) on this thread's new
    event loop; a :class:`StartupError` (or another exception) if any step fails."""
    from bot.app import build_application

    for check in PREFLIGHT:
        check(settings)
    application = build_application(settings, build_services_or_fail(settings))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        me = loop.run_until_complete(start_telegram(application, settings))
    except BaseException:
        loop.close()
        raise
    log.info("connected to Telegram as %s", bot_name(me))
    return application


def run(settings: Settings) -> int:
    """``branchbot run``: the checks above, then long polling until SIGINT/SIGTERM.

    The log records of start-up are held back until Telegram has answered ``getMe``, then written; if start-up
    fails they are dropped (written first only at ``BRANCHBOT_LOG_LEVEL=DEBUG``), so that the failure is the
    only line on stderr. If Telegram cannot be reached the process ends with status 1 at once rather than
    retrying inside: systemd (``Restart=on-failure``) starts it again later.
    """
    from bot.logging_setup import configure_logging, release_held_records

    token = require_token(settings)
    configure_logging(token, settings.logging_level, hold=True)
    try:
        application = start(settings)
    except BaseException:
        release_held_records(emit=settings.logging_level <= logging.DEBUG)
        raise
    release_held_records(emit=True)
    application.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=True)
    return 0
