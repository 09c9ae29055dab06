"""Telegram side of the activity-record form (/submit, /cancel, /skip, buttons, photos, documents).

Runs in an earlier handler group than Q&A: while the user's form is active, it takes their private messages and
stops further handling; otherwise it lets them through (free text is then a question).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import pending
from handlers.context import BotContext
from handlers.services.forms import IncomingFile, Reply
from storage.files import MAX_FILE_BYTES

log = logging.getLogger(__name__)

ALBUM_QUIET_SECONDS = 1.2
TOO_LARGE = "文件超过 20MB，Telegram 不允许机器人下载。请压缩后再发送（照片可直接用“照片”方式发送）。"


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in reply.buttons]
    )


async def send(context: BotContext, chat_id: int, reply: Reply) -> None:
    await context.bot.send_message(chat_id, reply.text, reply_markup=markup(reply))


async def submit(update: Update, context: BotContext) -> None:
    pending.clear(context)  # a follow-up the user left unanswered must not swallow the form's input
    reply = await context.services.forms.start(update.effective_user.id)
    await send(context, update.effective_chat.id, reply)
    raise ApplicationHandlerStop  # the command is handled: later groups must not see it


async def cancel(update: Update, context: BotContext) -> None:
    reply = await context.services.forms.cancel(update.effective_user.id)
    await send(context, update.effective_chat.id, reply)
    raise ApplicationHandlerStop


async def skip(update: Update, context: BotContext) -> None:
    forms = context.services.forms
    if await forms.active_step(update.effective_user.id) is None:
        await update.effective_message.reply_text("现在没有可以跳过的内容。发送 /submit 开始填写活动记录。")
    else:
        await send(context, update.effective_chat.id, await forms.on_skip(update.effective_user.id))
    raise ApplicationHandlerStop


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    reply = await context.services.forms.on_button(query.from_user.id, query.data or "")
    await query.answer()
    if reply.in_place and query.message is not None:
        try:
            await query.edit_message_text(reply.text, reply_markup=markup(reply))
        except BadRequest as exc:
            if "not modified" not in str(exc):
                raise
        return
    if query.message is not None:
        try:  # the old buttons are spent: remove them so they can't be pressed twice
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest:
            pass
    await send(context, query.message.chat.id if query.message else query.from_user.id, reply)


def _other_label(message: Message) -> str:
    for attr, label in (
        ("sticker", "贴纸"),
        ("voice", "语音"),
        ("audio", "音频"),
        ("video", "视频"),
        ("video_note", "视频消息"),
        ("animation", "动图"),
        ("location", "位置"),
        ("contact", "联系人"),
        ("poll", "投票"),
    ):
        if getattr(message, attr, None):
            return label
    return "这类消息"


async def _download(context: BotContext, file_id: str) -> bytes:
    tg_file = await context.bot.get_file(file_id)
    return bytes(await tg_file.download_as_bytearray())


async def on_message(update: Update, context: BotContext) -> None:
    """Every private message while a form is active."""
    user_id = update.effective_user.id
    forms = context.services.forms
    step = await forms.active_step(user_id)
    if step is None:
        return  # no form in progress: let the other handlers have it
    message = update.effective_message
    chat_id = update.effective_chat.id
    reply: Reply | None
    if message.text is not None:
        if message.text.startswith("/"):
            return  # other commands (/help, /topics, ...) still work during a form
        reply = await forms.on_text(user_id, message.text)
    elif message.photo or message.document:
        item = message.photo[-1] if message.photo else message.document
        if item.file_size and item.file_size > MAX_FILE_BYTES:
            reply = Reply(TOO_LARGE)
        else:
            data = await _download(context, item.file_id)
            incoming = IncomingFile(item.file_id, item.file_unique_id, data, message.media_group_id)
            reply = await forms.on_file(user_id, incoming)
            if reply is None:
                _schedule_progress(context, user_id, chat_id)
    else:
        reply = await forms.on_other(user_id, _other_label(message))
    if reply is not None:
        await send(context, chat_id, reply)
    raise ApplicationHandlerStop


def _schedule_progress(context: BotContext, user_id: int, chat_id: int) -> None:
    """Albums arrive as one update per photo: say how many arrived once they stop coming."""
    name = f"album-progress:{user_id}"
    for job in context.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    context.job_queue.run_once(_progress, ALBUM_QUIET_SECONDS, chat_id=chat_id, user_id=user_id, name=name)


async def _progress(context: BotContext) -> None:
    reply = await context.services.forms.progress(context.job.user_id)
    if reply is not None:
        await send(context, context.job.chat_id, reply)


def register(application: Application, *, group: int = -1) -> None:
    application.add_handler(CommandHandler("submit", submit), group=group)
    application.add_handler(CommandHandler("cancel", cancel), group=group)
    application.add_handler(CommandHandler("skip", skip), group=group)
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^f:"), group=group)
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, on_message
        ),
        group=group,
    )
