"""/unanswered (administrators): the questions the bot could not answer, grouped, over the last
``WINDOW_DAYS`` days (``/unanswered 30``: the last 30; ``/unanswered 全部``: all); /adddoc and a ``.txt`` document
from an administrator: stored in the knowledge-base folder, indexed at once, cited like the speeches.

Each listed group has a 忽略 N button (``cu:x:<question id>:<days>``) on the message that shows it: an
administrator's press dismisses the group (``CurationService.dismiss``), which then leaves the list until it is
asked again. ``/unanswered 已忽略`` lists the dismissed groups, each with a 恢复 N button (``cu:u:<question id>:0``)
that undoes it (``CurationService.restore``)."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date, datetime, timedelta, tzinfo
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from handlers.services.clock import Clock
from handlers.services.curation import MAX_DOCUMENT_BYTES, QuestionGroup
from handlers.tg.callbacks import CURATION_PREFIX, MAX_WINDOW_DAYS, STALE, decode_curation, encode_curation
from handlers.tg.context import SERVICES_KEY, BotContext
from handlers.tg.edit import edit_markup
from handlers.tg.guards import command
from handlers.tg.render_status import LIMIT, split_tagged

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
_ALL = frozenset({"全部", "所有", "all"})
_DISMISSED = frozenset({"已忽略", "忽略"})
UNANSWERED_USAGE = (
    "用法：/unanswered 查看近90天的问题；/unanswered 30 查看近30天的；/unanswered 全部 查看所有的；"
    "/unanswered 已忽略 查看已忽略的。"
)
DISMISS_HINT = "不打算处理的一组，可按下方“忽略”按钮移出列表；以后再有人问到，会重新列出。"
DISMISSED_HINT = "已忽略的问题：/unanswered 已忽略"
RESTORE_HINT = "按下方“恢复”按钮，可把一组放回 /unanswered 的列表。"
DISMISS_GONE = "这组问题已处理或已不在列表中。"
# What each button is called, and what its press says (act: ``handlers.tg.callbacks.CURATION_ACTS``).
LABELS = {"x": "忽略", "u": "恢复"}
DONE = {
    "x": "已忽略：「{text}」（{count}次提问）。以后再有人问到类似的问题，会重新列出。",
    "u": "已恢复：「{text}」（{count}次提问），不再忽略。",
}
BUTTONS_PER_ROW = 5
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


def group_blocks(
    groups: list[QuestionGroup],
    days: int | None = WINDOW_DAYS,
    today: date | None = None,
    tz: tzinfo | None = None,
    dismissed: bool = False,
) -> list[tuple[list[str], int | None]]:
    """The reply in blocks of lines, each with the index of the group it shows (None: the head and the foot):
    how often each group was asked, how, and on which local day last (its year shown when not ``today``'s).
    ``dismissed``: the groups of ``/unanswered 已忽略``."""
    title = "已忽略的问题" if dismissed else "未能回答或把握不大的问题"
    head = [f"<b>{title}</b>（{_window(days)}，共 {len(groups)} 组，按次数排序）", ""]
    blocks: list[tuple[list[str], int | None]] = [(head, None)]
    for i, g in enumerate(groups[:MAX_GROUPS]):
        facts = [f"{g.count}次"]
        facts += [f"未答{g.unanswered}"] if g.unanswered else []
        facts += [f"把握不大{g.low_confidence}"] if g.low_confidence else []
        facts += [f"👎{g.down_votes}"] if g.down_votes else []
        facts.append(f"最近一次{_day(g.last_asked.astimezone(tz), today)}")
        lines = [f"{i + 1}. {escape(g.text)}（{'，'.join(facts)}）"]
        others = [e for e in g.examples if e != g.text]
        if others:
            lines.append(f"   例：{escape(others[0])}")
        blocks.append((lines, i))
    foot = [f"……另有 {len(groups) - MAX_GROUPS} 组未列出。"] if len(groups) > MAX_GROUPS else []
    if dismissed:
        return blocks + [(foot + ["", RESTORE_HINT], None)]
    foot += [
        "",
        "可发送 /adddoc 把补充材料（.txt）加入知识库；知识库能确切回答的问题不再列出。",
        DISMISS_HINT,
        DISMISSED_HINT,
    ]
    if days is not None:
        foot.append("更早的问题：/unanswered 全部")
    return blocks + [(foot, None)]


def group_messages(
    blocks: list[tuple[list[str], int | None]], limit: int = LIMIT
) -> list[tuple[str, list[int]]]:
    """The blocks joined into messages of at most ``limit`` characters, a group never cut between two, each with
    the indexes of the groups it shows (their buttons go on it)."""
    return split_tagged(
        [("\n".join(line[:limit] for line in lines), index) for lines, index in blocks], limit
    )


def group_keyboard(
    groups: list[QuestionGroup], shown: list[int], days: int | None, act: str = "x"
) -> InlineKeyboardMarkup | None:
    """忽略 N (or 恢复 N) for each group the message shows, five to a row; the data names the group by its first
    question."""
    buttons = [
        InlineKeyboardButton(
            f"{LABELS[act]} {i + 1}", callback_data=encode_curation(act, groups[i].question_ids[0], days)
        )
        for i in shown
    ]
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows) if rows else None


def _day(at: datetime, today: date | None) -> str:
    return (
        f"{at.month}月{at.day}日" if today and at.year == today.year else f"{at.year}年{at.month}月{at.day}日"
    )


async def unanswered(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if update.effective_user.id not in context.services.admin_ids:
        await message.reply_text(ADMINS_ONLY)
        return
    if unicodedata.normalize("NFKC", " ".join(context.args or [])).strip() in _DISMISSED:
        await _send_groups(message, context, await context.services.curation.dismissed(), None, "u")
        return
    try:
        days = window_days(context.args or [])
    except ValueError:
        await message.reply_text(UNANSWERED_USAGE)
        return
    groups = await context.services.curation.unanswered(_since(context.services.clock, days))
    await _send_groups(message, context, groups, days, "x")


async def _send_groups(
    message: Message, context: BotContext, groups: list[QuestionGroup], days: int | None, act: str
) -> None:
    """The groups (``act`` x: /unanswered's, u: the dismissed ones), each message with its groups' buttons."""
    if not groups and act == "u":
        await message.reply_text("没有已忽略的问题。")
        return
    if not groups:
        more = "" if days is None else "更早的问题可发送 /unanswered 全部 查看。"
        await message.reply_text(f"{_window(days)}没有未能回答的问题。{more}")
        return
    clock = context.services.clock
    blocks = group_blocks(groups, days, clock.now().astimezone(clock.tz).date(), clock.tz, act == "u")
    for text, shown in group_messages(blocks):
        markup = group_keyboard(groups, shown, days, act)
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


def _since(clock: Clock, days: int | None) -> datetime | None:
    return None if days is None else clock.now() - timedelta(days=days)


async def on_button(update: Update, context: BotContext) -> None:
    """忽略 N / 恢复 N: the group is dismissed (or restored), said so, and its button taken off the list; a press on
    a group gone already (a double press, a replayed button) only says so."""
    query = update.callback_query
    decoded = decode_curation(query.data or "")
    if decoded is None:
        await query.answer(STALE, show_alert=True)
        return
    act, question_id, days = decoded
    curation = context.services.curation
    mark = curation.dismiss if act == "x" else curation.restore
    result = await mark(query.from_user.id, question_id, _since(context.services.clock, days))
    if result.status == "forbidden":
        await query.answer(ADMINS_ONLY, show_alert=True)
        return
    if result.status == "ok":  # said before the button goes: a failed edit must not hide that it was done
        await query.answer(f"已{LABELS[act]}。")
        chat_id = query.message.chat.id if query.message else query.from_user.id
        await context.bot.send_message(chat_id, DONE[act].format(text=result.text, count=result.count))
    else:
        await query.answer(DISMISS_GONE, show_alert=True)
    if query.message is not None and query.message.is_accessible:
        await edit_markup(query, _without(query.message.reply_markup, query.data))


def _without(markup: InlineKeyboardMarkup | None, data: str | None) -> InlineKeyboardMarkup | None:
    """The message's buttons less the one pressed."""
    rows = [[b for b in row if b.callback_data != data] for row in (markup.inline_keyboard if markup else ())]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


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
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{CURATION_PREFIX}"))
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
