"""Free text is a question: answer it from the speeches; buttons for the whole passage, more results, feedback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.services.qa import QAResult
from handlers.services.usage import Usage, usage_of
from handlers.tg import render
from handlers.tg.callbacks import parse_id, parse_index
from handlers.tg.common import HELP
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_markup
from handlers.tg.guards import incoming_text

log = logging.getLogger(__name__)

NON_TEXT_HINT = (
    "我目前只能理解文字提问。请直接输入您的问题，例如“主题党日多久开展一次”，或发送 /help 查看用法。"
)
STALE_BUTTON = "这个按钮已失效，请重新提问。"
IDLE_DRAFT_HINT = (
    "提示：您有一份未完成的【{kind}】草稿。上面把您的话当作提问来回答了；如果这是要填进草稿的内容，"
    "请发送 /submit，选择“继续填写”后再发一次。"
)
DRAFT_HINT = "idle_draft_hint"  # user_data: the idle draft (its last touch) already pointed out
# A question about using the bot itself (``handlers.services.usage``) is answered with the command that does it.
USAGE_REPLIES = {
    Usage.SUBMIT: (
        "登记活动请发送 /submit：选择活动类型，按提示依次填写日期、主题、地点、会议记录和出勤，再发送现场照片，"
        "最后核对并确认提交。填到一半可以先放下，稍后发送 /submit 选择“继续填写”。"
    ),
    Usage.RECORDS: "发送 /records 查看本支部已提交的活动记录，在记录下方可以撤回或修改。",
    Usage.REMINDERS: (
        "发送 /reminders 查看本月、本季度、本年度还没有完成的活动；在那里可以设置提醒时间，或对某项活动免提醒。"
    ),
    Usage.JOIN: (
        "支部书记通过邀请链接加入：上级党委管理员新建支部（/newbranch）或为已有支部生成邀请（/invite）后，"
        "会得到一个邀请链接，7天内有效、只能使用一次。请联系上级党委管理员获取您支部的邀请链接，"
        "点击链接即成为该支部书记。想了解党组织书记怎么产生，可以直接问“党组织书记怎么选”。"
    ),
    Usage.THANKS: "不客气！还有问题可以直接问我。",
    Usage.GREETING: "您好！请直接输入您的问题，也可以点下面的例子；发送 /help 查看全部功能。",
}


async def _reply_answer(update: Update, context: BotContext, text: str) -> None:
    user = update.effective_user
    chat = update.effective_chat
    result = await context.services.qa.ask(
        text, user_id=user.id if user else None, chat_id=chat.id if chat else None
    )
    await _send_result(context, chat.id, result)
    if user is not None:
        await _remind_of_idle_draft(context, chat.id, user.id)


async def _remind_of_idle_draft(context: BotContext, chat_id: int, user_id: int) -> None:
    """Once per idle draft: text sent after the form's 30 minutes is a question, which may not be what the user
    meant (an answer to the form's last prompt): say how to go back to the draft."""
    idle = await context.services.forms.idle_draft(user_id)
    if idle is None or context.user_data.get(DRAFT_HINT) == idle[1]:
        return
    context.user_data[DRAFT_HINT] = idle[1]
    await context.bot.send_message(chat_id, IDLE_DRAFT_HINT.format(kind=idle[0]))


async def _send_result(context: BotContext, chat_id: int, result: QAResult) -> None:
    if not result.answer.hits:
        await context.bot.send_message(
            chat_id,
            render.no_answer_html(result.answer.query),
            parse_mode=ParseMode.HTML,
            reply_markup=render.examples_keyboard(),
        )
        return
    await context.bot.send_message(
        chat_id,
        render.answer_html(result),
        parse_mode=ParseMode.HTML,
        reply_markup=render.answer_keyboard(result),
    )


async def on_text(update: Update, context: BotContext) -> None:
    text = incoming_text(update)
    usage = usage_of(text)
    if usage is Usage.HELP:
        await update.effective_message.reply_text(HELP, parse_mode=ParseMode.HTML)
    elif usage is Usage.GREETING:
        await update.effective_message.reply_text(
            USAGE_REPLIES[usage], reply_markup=render.examples_keyboard()
        )
    elif usage is not None:
        await update.effective_message.reply_text(USAGE_REPLIES[usage])
    else:
        await _reply_answer(update, context, text)


async def on_non_text(update: Update, context: BotContext) -> None:
    await update.effective_message.reply_text(NON_TEXT_HINT)


async def on_callback(update: Update, context: BotContext) -> None:
    query = update.callback_query
    parts = (query.data or "").split(":")
    action, args = (parts[1], parts[2:]) if len(parts) >= 2 else ("", [])
    chat_id = query.message.chat.id if query.message else query.from_user.id
    try:
        first = args[0] if args else ""
        if action == "ex" and (example := parse_index(first, len(render.EXAMPLES))) is not None:
            await query.answer()
            question = render.EXAMPLES[example]
            await context.bot.send_message(chat_id, f"❓ {question}")
            result = await context.services.qa.ask(
                question, user_id=query.from_user.id, chat_id=chat_id, follow_ups=False
            )
            await _send_result(context, chat_id, result)
        elif action == "full" and parse_index(first, 1_000_000) is not None:
            passage = context.services.kb.passage(int(first))
            if passage is None:
                await query.answer(STALE_BUTTON, show_alert=True)
                return
            await query.answer()
            await context.bot.send_message(chat_id, render.passage_html(passage), parse_mode=ParseMode.HTML)
        elif action == "more" and parse_id(first) is not None:
            result = await context.services.qa.more(parse_id(first))
            if result is None or len(result.answer.hits) < 2:
                await query.answer("没有更多相关内容了。")
                return
            await query.answer()
            hits = result.answer.hits[1:]
            await context.bot.send_message(
                chat_id,
                render.more_html(hits),
                parse_mode=ParseMode.HTML,
                reply_markup=render.more_keyboard(hits),
            )
        elif action == "fb" and len(args) == 2 and parse_id(first) is not None and args[1] in ("1", "-1"):
            question_id, value = parse_id(first), int(args[1])
            if not await context.services.qa.feedback(question_id, user_id=query.from_user.id, value=value):
                await query.answer(STALE_BUTTON, show_alert=True)
                return
            await query.answer("感谢您的反馈！")
            await _mark_vote(query, question_id, value)
        else:
            await query.answer(STALE_BUTTON, show_alert=True)
    except BadRequest:
        log.warning("callback %r could not be completed", query.data, exc_info=True)


async def _mark_vote(query, question_id: int, value: int) -> None:
    """Shows which way the user voted, keeping the message's other buttons."""
    markup = query.message.reply_markup if query.message else None
    if markup is None:
        return
    await edit_markup(query, render.with_vote(markup, question_id, value))  # the same vote twice is fine


def register(application: Application, *, group: int = 0) -> None:
    application.add_handler(CallbackQueryHandler(on_callback, pattern=r"^qa:"), group=group)
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_text
        ),
        group=group,
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            on_non_text,
        ),
        group=group,
    )
