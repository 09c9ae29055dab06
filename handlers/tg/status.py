"""/status: this period's matrix, branch by kind (administrators: every branch; supervisors: theirs;
secretaries: their own), with period switches and a button to the web page when a public URL is set."""

from __future__ import annotations

import os
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.services.periods import parse_period, this_month
from handlers.tg import pending
from handlers.tg.callbacks import STALE, STATUS_PREFIX, decode_status, encode_status
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_text
from handlers.tg.guards import command, user_name
from handlers.tg.render_status import split_messages, status_lines
from knowledge.activities import Period

NO_RIGHTS = "只有上级党委管理员、片区督导员和支部书记可以查看完成情况。"
NO_BRANCHES_ADMIN = (
    "还没有党支部，暂无完成情况可看。\n发送 /newbranch 新建第一个支部，建好后把生成的邀请链接发给该支部书记。"
)
# helper-96's review: /status typed in the middle of /newbranch was told to send /newbranch
NO_BRANCHES_CREATING = (
    "还没有党支部，暂无完成情况可看。\n您正在新建支部：请接着回答上面的问题（发送 /cancel 取消），"
    "建好后把生成的邀请链接发给该支部书记。"
)
PUBLIC_URL = "public_url"


def public_url(context: BotContext) -> str | None:
    """The web dashboard's address: ``bot_data['public_url']``, the settings in ``bot_data``, or
    ``BRANCHBOT_PUBLIC_URL``; None when not configured."""
    return public_url_in(context.application.bot_data)


def public_url_in(data: dict) -> str | None:
    """:func:`public_url` from the application's ``bot_data`` (the reminder sender has no context)."""
    url = data.get(PUBLIC_URL) or getattr(data.get("settings"), "public_url", None)
    url = url or os.environ.get("BRANCHBOT_PUBLIC_URL")
    return str(url).rstrip("/") if url else None


def period_choices(today: date) -> list[list[tuple[str, Period]]]:
    """The switch buttons' rows: this month and the last, this quarter and the last, and in the first quarter of a
    year the year that has just closed (its 述职评议)."""
    month = this_month(today)
    quarter = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    rows = [
        [("本月", month), ("上月", this_month(month.start - timedelta(days=1)))],
        [("本季度", quarter), ("上季度", previous_quarter(quarter))],
    ]
    if today.month <= 3:
        rows[1].append(("上年度", parse_period(str(today.year - 1))))
    return rows


def previous_quarter(quarter: Period) -> Period:
    day = quarter.start - timedelta(days=1)
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def period_keyboard(context: BotContext, code: str) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ("• " if p.code == code else "") + label, callback_data=encode_status(p.code)
            )
            for label, p in row
        ]
        for row in period_choices(context.services.clock.now().date())
    ]
    if url := public_url(context):
        rows.append([InlineKeyboardButton("在网页上查看", url=f"{url}/?period={code}")])
    return InlineKeyboardMarkup(rows)


async def status_messages(
    context: BotContext, user_id: int, period: str | None
) -> tuple[list[str], str | None]:
    """The status as messages, and the period code of the switches under the last one; ``None``: a plain-text
    notice instead (a bad period, no rights, no branch yet), one message."""
    try:
        matrix = await context.services.status.matrix(user_id, period)
    except ValueError as exc:
        return [str(exc)], None
    if matrix is None:
        return [NO_RIGHTS], None
    if not matrix.rows and user_id in context.services.admin_ids:  # an administrator sees all: there is none
        return [NO_BRANCHES_CREATING if _creating_branch(context) else NO_BRANCHES_ADMIN], None
    return split_messages(status_lines(matrix)), matrix.period.code


def _creating_branch(context: BotContext) -> bool:
    """The user is in the middle of /newbranch (its steps wait as a pending input that has not expired)."""
    state = (context.user_data or {}).get(pending.PENDING)
    return (
        isinstance(state, dict) and state.get("kind") == "newbranch" and not pending.expired(context, state)
    )


async def send_status(context: BotContext, user_id: int, chat_id: int, period: str | None) -> None:
    await _send(context, chat_id, *await status_messages(context, user_id, period))


async def _send(context: BotContext, chat_id: int, messages: list[str], code: str | None) -> None:
    if code is None:
        await context.bot.send_message(chat_id, messages[0])
        return
    for index, text in enumerate(messages):
        last = index == len(messages) - 1
        markup = period_keyboard(context, code) if last else None
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def status(update: Update, context: BotContext) -> None:
    period = " ".join(context.args) if context.args else None  # all the words: /status 2026 Q4
    await context.services.supervision.remember_name(update.effective_user.id, user_name(update))
    await send_status(context, update.effective_user.id, update.effective_chat.id, period)


async def on_button(update: Update, context: BotContext) -> None:
    """A period switch: the status message with the buttons becomes the chosen period's (a new message when it
    is gone or too old to edit, ``tg/edit``); a status too long for one message comes as new messages."""
    query = update.callback_query
    code = decode_status(query.data or "")
    if code is None:
        await query.answer(STALE, show_alert=True)
        return
    await query.answer()
    user_id = query.from_user.id
    messages, shown = await status_messages(context, user_id, code)
    if shown is not None and len(messages) == 1 and query.message is not None:
        markup = period_keyboard(context, shown)
        await edit_text(query, messages[0], parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    await _send(context, query.message.chat.id if query.message else user_id, messages, shown)


def register(application: Application) -> None:
    application.add_handler(command("status", status))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{STATUS_PREFIX}"))
