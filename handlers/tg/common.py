"""/start, /help and the error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from handlers.tg.context import BotContext

log = logging.getLogger(__name__)

WELCOME = (
    "您好！我是“两新”组织党建助手。\n\n"
    "我可以：\n"
    "• 回答党建工作政策问题，引用讲话原文并注明出处；\n"
    "• 用 /topics 浏览讲话目录；\n"
    "• 支部书记可用 /submit 登记主题党日、三会一课等活动（照片、记录、出勤）。\n\n"
    "直接输入您的问题即可，例如："
)

HELP = (
    "<b>可用命令</b>\n"
    "/start 开始使用\n"
    "/help 查看帮助\n"
    "/topics 浏览讲话目录\n"
    "/submit 登记活动记录（主题党日、三会一课、观摩交流等）\n"
    "/records 查看本支部活动记录，可撤回或修改\n"
    "/branch 查看或修改支部信息\n"
    "/cancel 取消正在填写的内容　/skip 跳过可选项\n\n"
    "直接发送文字即可提问，例如“党员不足三人怎么建党组织”。"
)

ERROR_TEXT = "抱歉，处理您的消息时出了点问题，请稍后再试。已记录的内容不会丢失。"


UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看可用命令，或直接输入您的问题。"


async def start(update: Update, context: BotContext) -> None:
    from handlers.tg.render import examples_keyboard

    await update.effective_message.reply_text(WELCOME, reply_markup=examples_keyboard())


async def unknown_command(update: Update, context: BotContext) -> None:
    await update.effective_message.reply_text(UNKNOWN_COMMAND)


async def help_command(update: Update, context: BotContext) -> None:
    await update.effective_message.reply_text(HELP, parse_mode=ParseMode.HTML)


async def on_error(update: object, context: BotContext) -> None:
    log.error("unhandled error while processing an update", exc_info=context.error)
    if isinstance(update, Update) and update.callback_query is not None:
        try:  # an unanswered button press keeps spinning on the user's phone
            await update.callback_query.answer("出了点问题，请稍后再试。", show_alert=True)
        except Exception:
            log.debug("callback query could not be answered", exc_info=True)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, ERROR_TEXT)
        except Exception:  # the error report itself must never take the bot down
            log.warning("could not tell the user about the error", exc_info=True)


def register(application: Application, *, group: int = 0) -> None:
    application.add_handler(CommandHandler("start", start), group=group)
    application.add_handler(CommandHandler("help", help_command), group=group)
    application.add_error_handler(on_error)


def register_fallbacks(application: Application, *, group: int = 0) -> None:
    """Last in line: commands nobody else took."""
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command), group=group
    )
