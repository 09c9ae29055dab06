"""/unanswered (administrators): the questions the bot could not answer, grouped, over the last
``WINDOW_DAYS`` days (``/unanswered 30``: the last 30; ``/unanswered 全部``: all); /adddoc and a ``.txt`` document
from an administrator: stored in the knowledge-base folder, indexed at once, cited like the speeches."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date, datetime, timedelta, tzinfo
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, MessageHandler, filters

from handlers.services.curation import MAX_DOCUMENT_BYTES, QuestionGroup
from handlers.tg.context import SERVICES_KEY, BotContext
from handlers.tg.guards import command
from handlers.tg.render_status import split_messages

log = logging.getLogger(__name__)

ADMINS_ONLY = "只有上级党委管理员可以使用这个命令。"
MAX_GROUPS = 30
ADDDOC = "adddoc_until"
ADDDOC_WINDOW = timedelta(minutes=10)
ADDDOC_PROMPT = (
    "请把要加入知识库的 .txt 文件（UTF-8 编码，不超过 1 MB）作为文件发给我（10分钟内有效）。"
    "同名文件会被替换。"
)
# /unanswered looks this many days back unless told otherwise: a question asked last year and never again is
# seldom worth an administrator's evening, and the list only ever grew.
WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 3660
_ALL = frozenset({"全部", "所有", "all"})
UNANSWERED_USAGE = (
    "用法：/unanswered 查看近90天的问题；/unanswered 30 查看近30天的；/unanswered 全部 查看所有的。"
)
HOW_TO_ADD = "如要把这个文件加入知识库，请先发送 /adddoc，或在发送文件时在说明里写 /adddoc。"


def window_days(args: list[str]) -> int | None:
    """The days /unanswered looks back: ``WINDOW_DAYS`` without an argument, the number typed (full-width digits
    too, 天 allowed), ``None`` for 全部; ``ValueError`` for anything else."""
    if not args:
        return WINDOW_DAYS
    typed = unicodedata.normalize("NFKC", " ".join(args)).strip().lower()
    if typed in _ALL:
        return None
    match = re.fullmatch(r"(?:近|最近)?\s*(\d{1,5})\s*天?", typed)
    if match and 1 <= int(match[1]) <= MAX_WINDOW_DAYS:
        return int(match[1])
    raise ValueError(typed)


def _window(days: int | None) -> str:
    return "全部时间" if days is None else f"近{days}天"


def group_lines(
    groups: list[QuestionGroup],
    days: int | None = WINDOW_DAYS,
    today: date | None = None,
    tz: tzinfo | None = None,
) -> list[str]:
    """The groups as lines: how often each was asked, how, and on which local day last (its year shown when not
    ``today``'s)."""
    lines = [f"<b>未能回答或把握不大的问题</b>（{_window(days)}，共 {len(groups)} 组，按次数排序）", ""]
    for i, g in enumerate(groups[:MAX_GROUPS], 1):
        facts = [f"{g.count}次"]
        facts += [f"未答{g.unanswered}"] if g.unanswered else []
        facts += [f"把握不大{g.low_confidence}"] if g.low_confidence else []
        facts += [f"👎{g.down_votes}"] if g.down_votes else []
        facts.append(f"最近一次{_day(g.last_asked.astimezone(tz), today)}")
        lines.append(f"{i}. {escape(g.text)}（{'，'.join(facts)}）")
        others = [e for e in g.examples if e != g.text]
        if others:
            lines.append(f"   例：{escape(others[0])}")
    if len(groups) > MAX_GROUPS:
        lines.append(f"……另有 {len(groups) - MAX_GROUPS} 组未列出。")
    lines += ["", "可发送 /adddoc 把补充材料（.txt）加入知识库；知识库能确切回答的问题不再列出。"]
    if days is not None:
        lines.append("更早的问题：/unanswered 全部")
    return lines


def _day(at: datetime, today: date | None) -> str:
    return (
        f"{at.month}月{at.day}日" if today and at.year == today.year else f"{at.year}年{at.month}月{at.day}日"
    )


async def unanswered(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if update.effective_user.id not in context.services.admin_ids:
        await message.reply_text(ADMINS_ONLY)
        return
    try:
        days = window_days(context.args or [])
    except ValueError:
        await message.reply_text(UNANSWERED_USAGE)
        return
    clock = context.services.clock
    now = clock.now()
    since = None if days is None else now - timedelta(days=days)
    groups = await context.services.curation.unanswered(since)
    if not groups:
        more = "" if days is None else "更早的问题可发送 /unanswered 全部 查看。"
        await message.reply_text(f"{_window(days)}没有未能回答的问题。{more}")
        return
    for text in split_messages(group_lines(groups, days, now.astimezone(clock.tz).date(), clock.tz)):
        await message.reply_text(text, parse_mode=ParseMode.HTML)


async def adddoc(update: Update, context: BotContext) -> None:
    if update.effective_user.id not in context.services.admin_ids:
        await update.effective_message.reply_text(ADMINS_ONLY)
        return
    context.user_data[ADDDOC] = (context.services.clock.now() + ADDDOC_WINDOW).isoformat()
    await update.effective_message.reply_text(ADDDOC_PROMPT)


def _asked(context: BotContext, caption: str | None) -> bool:
    if caption and caption.strip().lower().startswith("/adddoc"):
        return True
    until = context.user_data.get(ADDDOC)
    return bool(until) and context.services.clock.now().isoformat() <= until


async def on_document(update: Update, context: BotContext) -> None:
    """An administrator's document, when no form took it: added to the knowledge base if they asked."""
    message = update.effective_message
    document = message.document
    if not _asked(context, message.caption):
        await message.reply_text(HOW_TO_ADD)
        raise ApplicationHandlerStop
    context.user_data.pop(ADDDOC, None)
    if document.file_size and document.file_size > MAX_DOCUMENT_BYTES:
        await message.reply_text("文件超过 1 MB，请拆分后分别发送。")
        raise ApplicationHandlerStop
    data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    services = context.services
    result = await services.curation.add_document(update.effective_user.id, document.file_name or "", data)
    if result.status != "ok":
        await message.reply_text(result.message)
        raise ApplicationHandlerStop
    await message.reply_text("已收到，正在更新知识库……")
    await services.reload_kb()
    verb = "替换" if result.replaced else "添加"
    await message.reply_text(
        f"已{verb}知识库文档《{result.name}》（{result.chars} 字），知识库已更新，现在提问即可引用。\n"
        f"已添加的文档共 {len(services.curation.documents())} 份。"
    )
    raise ApplicationHandlerStop


def register(application: Application) -> None:
    application.add_handler(command("unanswered", unanswered))
    application.add_handler(command("adddoc", adddoc))
    services = application.bot_data.get(SERVICES_KEY)
    admins = sorted(services.admin_ids) if services is not None else []
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & filters.Document.ALL
            & filters.User(admins),
            on_document,
        )
    )
