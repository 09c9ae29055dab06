"""``branchbot check``: the checks ``branchbot run`` makes at start, one line each, without changing anything.

Each line starts with ``✓`` (passed), ``⚠`` (passed, with something to know), ``✗`` (failed; the text says what
to do) or ``–`` (skipped). Exit
status: 0 if nothing failed; 2 if a failure is a wrong setting; else 1 (a service could not be reached).
The database is connected to and its migration revision read, never upgraded; a SQLite file that does not
exist yet is not created.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from bot.config import Settings
from bot.errors import EXIT_SETTINGS, EXIT_UNREACHABLE, StartupError
from bot.logging_setup import one_line as short
from bot.startup import (
    check_data_dir,
    check_database_folder,
    check_kb_dir,
    database_error,
    describe_database,
    telegram_error,
    telegram_host,
)

OK, FAILED, SKIPPED, WARNED = "✓", "✗", "–", "⚠"


class CheckWarning(Exception):
    """A check that passed with something the operator should know (printed with ``⚠``, not a failure)."""


def check_settings(settings: Settings) -> str:
    admins = f"{len(settings.admin_ids)} 位管理员" if settings.admin_ids else "未设置管理员"
    return f"配置有效：时区 {settings.tz}，{admins}，日志级别 {settings.log_level}"


def check_knowledge_base(settings: Settings) -> str:
    from knowledge import KnowledgeBase

    check_kb_dir(settings)
    try:
        kb = KnowledgeBase.default(kb_dir=settings.kb_source())
    except Exception as exc:
        raise StartupError(f"知识库加载失败（{type(exc).__name__}：{short(exc, 60)}）") from None
    folder = settings.kb_source()
    loaded = f"知识库已加载：{len(kb.passages)} 段" + (f"（含 {folder}）" if folder else "")
    read = {p.doc for p in kb.passages}
    skipped = (
        sorted(f.name for f in folder.rglob("*.txt") if f.is_file() and f.name not in read) if folder else []
    )
    if skipped:  # ingestion logs them and goes on: a GBK file would be silently missing (helper-110's review)
        names = "、".join(skipped[:5]) + (f" 等 {len(skipped)} 个" if len(skipped) > 5 else "")
        raise CheckWarning(f"{loaded}；未能读取 {names}：须为 UTF-8 编码且有正文的 .txt 文件，请另存为 UTF-8")
    return loaded


def check_holidays(settings: Settings) -> str:
    """Whether the holiday table (chinese-calendar) covers this year and the next: reminders skip holidays."""
    from handlers.services.clock import SystemClock
    from knowledge import workdays

    year = SystemClock(settings.zone).now().year
    missing = [y for y in (year, year + 1) if not workdays.covers(y)]
    if not missing:
        return f"节假日表覆盖{year}年和{year + 1}年"
    years = "、".join(f"{y}年" for y in missing)
    raise CheckWarning(
        f"节假日表（chinese-calendar）还没有{years}：这些年份只避开周末和元旦、劳动节、国庆节，"
        "春节等节日可能照常发提醒；请更新 chinese-calendar"
    )


def check_database(settings: Settings) -> str:
    from storage import migrate
    from storage.db import sqlite_file_path

    where = describe_database(settings.database_url)
    check_database_folder(settings, create=False)
    path = sqlite_file_path(settings.database_url)
    if path is not None and not path.exists():
        return f"数据库文件尚未创建：{where}（branchbot run 会创建并建表）"
    try:
        revision = migrate.current(settings.database_url)
        head = migrate.head_revision()
    except Exception as exc:
        raise database_error(exc, settings) from None
    if revision == head:
        return f"数据库可连接：{where}，版本 {revision}（最新）"
    if revision is None:
        return f"数据库可连接：{where}，尚未建表（branchbot run 或 branchbot db upgrade 会建表）"
    known = {r.revision for r in _revisions()}
    if revision not in known:
        raise StartupError(
            f"数据库版本 {revision} 不是本程序的迁移（最新为 {head}）：{where}；请升级程序或改正 DATABASE_URL",
            EXIT_SETTINGS,
        )
    return f"数据库可连接：{where}，版本 {revision}，最新为 {head}（branchbot run 会自动升级）"


def _revisions():
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config()).walk_revisions()


def check_web(settings: Settings) -> str:
    """The dashboard's address can be listened on; a port held by a running branchbot is only a warning."""
    from bot.web_port import PortInUse, check_web_port

    try:
        return check_web_port(settings)
    except PortInUse:
        if not _branchbot_answers(settings):
            raise
    raise CheckWarning(
        f"网页看板端口 {settings.web_port} 正由运行中的 branchbot 使用（/healthz 有答复）；"
        "先停掉它，branchbot run 才能启动"
    )


def _branchbot_answers(settings: Settings) -> bool:
    """Whether what listens on the port answers ``/healthz`` as branchbot does (200 or 503, with "bot")."""
    import json
    import urllib.error
    import urllib.request

    host = f"[{settings.web_host}]" if ":" in settings.web_host else settings.web_host
    try:
        with urllib.request.urlopen(f"http://{host}:{settings.web_port}/healthz", timeout=2) as resp:
            body = resp.read(4096)
    except urllib.error.HTTPError as exc:
        body = exc.read(4096)
    except (OSError, ValueError):
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and "bot" in data


async def _get_me(settings: Settings):
    from telegram import Bot

    kwargs = {}
    if settings.telegram_api_base_url:
        kwargs["base_url"] = settings.telegram_api_base_url.rstrip("/")
    async with Bot(settings.token or "", **kwargs) as bot:
        return bot.bot


def check_telegram(settings: Settings) -> str | None:
    from telegram.error import TelegramError

    from bot.startup import bot_name

    if not settings.token:
        return None
    try:
        me = asyncio.run(_get_me(settings))
    except TelegramError as exc:
        raise telegram_error(exc, settings) from None
    return f"Telegram 可达（{telegram_host(settings)}）：机器人 {bot_name(me)}"


SKIP_TELEGRAM = "未设置 TELEGRAM_BOT_TOKEN，跳过 Telegram 检查（branchbot run 需要它）"
CHECKS: tuple[tuple[Callable[[Settings], str | None], str], ...] = (
    (check_settings, ""),
    (partial(check_data_dir, create=False), ""),
    (check_knowledge_base, ""),
    (check_holidays, ""),
    (check_database, ""),
    (check_web, ""),
    (check_telegram, SKIP_TELEGRAM),
)


def check(settings: Settings, echo: Callable[[str], None] = print) -> int:
    """Run every check, print one line per check, return the exit status."""
    from bot.logging_setup import configure_logging

    configure_logging(settings.token, max(settings.logging_level, logging.WARNING))
    failures: list[StartupError] = []
    for step, skipped in CHECKS:
        try:
            passed = step(settings)
        except StartupError as exc:
            failures.append(exc)
            echo(f"{FAILED} {exc.line}")
            continue
        except CheckWarning as exc:
            echo(f"{WARNED} {exc}")
            continue
        except Exception as exc:  # a check that broke is a failed check, not a traceback
            failures.append(StartupError(f"{type(exc).__name__}：{short(exc)}", EXIT_UNREACHABLE))
            echo(f"{FAILED} 检查出错（{type(exc).__name__}：{short(exc)}）")
            continue
        echo(f"{OK} {passed}" if passed else f"{SKIPPED} {skipped}")
    if not failures:
        return 0
    return EXIT_SETTINGS if any(f.exit_code == EXIT_SETTINGS for f in failures) else EXIT_UNREACHABLE
