"""/start, /help and the error handler."""

from __future__ import annotations

import logging
import re
import secrets
import time

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from handlers.tg.callbacks import STALE
from handlers.tg.context import BotContext
from handlers.tg.guards import command

log = logging.getLogger(__name__)

WELCOME_HEAD = (
    "您好！我是“两新”组织党建助手。\n\n"
    "我可以：\n"
    "• 回答党建工作政策问题，引用讲话原文并注明出处；\n"
    "• 用 /topics 浏览讲话目录；\n"
    "• 支部书记可用 /submit 登记主题党日、三会一课等活动（照片、会议记录、出勤）。\n\n"
)
WELCOME_ASK = "直接输入您的问题即可，例如："
# helper-86's review: a newcomer was never told how a secretary joins.
JOIN_LINE = "支部书记首次使用：请点击上级党委发来的邀请链接，或把邀请码直接发给我。\n\n"
NEWCOMER_WELCOME = WELCOME_HEAD + JOIN_LINE + WELCOME_ASK
ADMIN_WELCOME = (
    "您是上级党委管理员：发送 /newbranch 新建支部并得到书记的邀请链接，/branches 查看全部支部，"
    "/invite 支部编号 重新生成邀请链接。\n\n"
)

_HELP_HEAD = "<b>可用命令</b>\n/start 开始使用\n/help 查看帮助\n/topics 浏览讲话目录\n"
_HELP_SECRETARY = (
    "/submit 登记活动记录（主题党日、三会一课、观摩交流等）\n"
    "/records 查看本支部活动记录，可撤回或修改\n"
    "/reminders 查看本月、本季度、本年度待办，设置提醒时间或免提醒\n"
    "/branch 查看或修改支部信息\n"
)
_HELP_FILLING = "/cancel 取消正在填写的内容　/skip 跳过可选项\n"
_HELP_MYID = "/myid 查看自己的用户编号（设置片区督导员时需要）\n"
_HELP_REVIEW = "支部提交的新记录会发给您审核，点“通过”或“退回”即可。\n"
_HELP_DASHBOARD = "/dashboard 获取网页看板登录链接（10分钟内有效）\n"
_HELP_ADMIN = (
    "/unanswered 查看未能回答的问题（管理员）\n"
    "/adddoc 向知识库添加 .txt 文档（管理员）\n"
    "/newbranch 新建支部，得到书记的邀请链接（管理员）\n"
    "/branches 查看全部支部及编号（管理员）\n"
    "/invite 支部编号 重新生成书记邀请链接（管理员）\n"
    "/unbind 支部编号 解除书记的绑定，如书记已离职（管理员）\n"
    "/renamebranch 支部编号 新名称 更正支部名称（“单位 新名称”更正单位名称）（管理员）\n"
    "/closebranch 支部编号 撤销已不存在的支部，记录保留；/reopenbranch 支部编号 恢复（管理员）\n"
    "/returnrecord 记录编号 理由 退回已通过的记录供书记更正（管理员；也可在已通过的记录下点“退回更正”）\n"
    "/supervisor 设置、调整或取消片区督导员（单独发送可查看用法）（管理员）\n"
    "/supervisors 查看全部片区督导员（管理员）\n"
)
# The administrator's /help: everything (the full menu of ``bot.commands.ADMIN_COMMANDS``).
HELP_COMMANDS = (
    _HELP_HEAD
    + _HELP_SECRETARY
    + "/status 查看本月、本季度各支部活动完成情况\n"
    + _HELP_FILLING
    + "\n<b>上级党委管理员、片区督导员</b>\n"
    + _HELP_DASHBOARD
    + _HELP_ADMIN
    + _HELP_MYID
    + _HELP_REVIEW
    + "\n"
)
ASK_LINE = "直接发送文字即可提问，例如“党员不足三人怎么建党组织”。"
HELP = HELP_COMMANDS + ASK_LINE
# helper-97's review: a secretary's or a stranger's /help listed the administrator's commands.
_HELP_JOIN = (
    "支部书记首次使用：请点击上级党委发来的邀请链接，或把邀请码直接发给我；加入后即可用 /submit 登记活动。\n"
)


def help_commands(*, admin: bool, supervisor: bool, secretary: bool) -> str:
    """/help's commands for the user's role: an administrator everything; a secretary their branch's
    commands; a supervisor /status of their branches, /dashboard and reviewing; anyone else asking, /topics
    and how to join."""
    if admin:
        return HELP_COMMANDS
    text = _HELP_HEAD + (_HELP_SECRETARY if secretary else "")
    if supervisor:
        mine = "本支部和所督导支部" if secretary else "所督导支部"
        text += f"/status 查看{mine}本月、本季度活动完成情况\n" + _HELP_DASHBOARD
    elif secretary:
        text += "/status 查看本支部本月、本季度活动完成情况\n"
    text += (_HELP_FILLING if secretary else "") + _HELP_MYID
    if supervisor:
        text += _HELP_REVIEW
    return text + ("" if secretary or supervisor else "\n" + _HELP_JOIN) + "\n"


SECRETARY_HELP = help_commands(admin=False, supervisor=False, secretary=True) + ASK_LINE
STRANGER_HELP = help_commands(admin=False, supervisor=False, secretary=False) + ASK_LINE


async def help_text(update: Update, context: BotContext) -> str:
    """/help for the sender's role; in a group, where to ask instead of the asking line."""
    viewer = await context.services.supervision.viewer(update.effective_user.id)
    commands = help_commands(
        admin=viewer.is_admin, supervisor=bool(viewer.supervised), secretary=viewer.own_branch is not None
    )
    return commands + (ask_privately(context.bot.username) if in_group(update) else ASK_LINE)


def private_chat(bot_username: str | None) -> str:
    """The bot's private chat as a group message names it: @name with its link, or 我."""
    return f"@{bot_username}（https://t.me/{bot_username}）" if bot_username else "我"


def ask_privately(bot_username: str | None) -> str:
    """Groups get no answers to typed questions: where to ask instead."""
    where = private_chat(bot_username)
    return f"在群里我不回答提问。请私聊 {where}，直接发送您的问题即可；登记活动（/submit）也请在私聊中进行。"


def use_privately(bot_username: str | None, command: str) -> str:
    """A command a group may not use: where to use it instead (helper-95's review: /topics was told 在群里我不回答提问,
    which is about questions)."""
    where = private_chat(bot_username)
    return f"{command} 只能在私聊中使用，请私聊 {where}。在群里我只回应 /start、/help 和 /myid。"


def in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != ChatType.PRIVATE


ERROR_TEXT = "抱歉，处理您的消息时出了点问题，请稍后再试。已记录的内容不会丢失。"
ERROR_BUTTON = "出了点问题，请稍后再试。"


def error_text(error_id: str) -> str:
    return f"{ERROR_TEXT}（错误编号 {error_id}）"


UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看可用命令，或直接输入您的问题。"
UNKNOWN_IN_FORM = (
    "没有这个命令。表单还在填写中，已填的内容都保留着；要改已填的内容，请填完后在核对页修改。当前这一步："
)


def _is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.services.admin_ids


async def start(update: Update, context: BotContext) -> None:
    from handlers.tg.render import examples_keyboard

    if in_group(update):
        await update.effective_message.reply_text(WELCOME_HEAD + ask_privately(context.bot.username))
        return
    head = ADMIN_WELCOME if _is_admin(update, context) else ""
    if not head:
        branch = await context.services.branches.of_user(update.effective_user.id)
        head = JOIN_LINE if branch is None else f"您是“{branch.name}”的书记。\n\n"
    await update.effective_message.reply_text(welcome(head), reply_markup=examples_keyboard())


def welcome(head: str) -> str:
    """/start's text, with ``head`` (who the user is, or how a secretary joins) before the examples."""
    return WELCOME_HEAD + head + WELCOME_ASK


async def unknown_command(update: Update, context: BotContext) -> None:
    """Says so; in the middle of a form (/back, /上一步), asks the form's current step again."""
    from handlers.tg.render_form import form_markup, form_text

    user = update.effective_user
    current = None
    if user is not None and not in_group(update):
        current = await context.services.forms.current(user.id)
    if current is None:
        await update.effective_message.reply_text(UNKNOWN_COMMAND)
        return
    await update.effective_message.reply_text(
        f"{UNKNOWN_IN_FORM}\n\n{form_text(current)}", reply_markup=form_markup(current)
    )


async def help_command(update: Update, context: BotContext) -> None:
    await update.effective_message.reply_text(await help_text(update, context), parse_mode=ParseMode.HTML)


# Polling's own failures reach ``on_error`` with no update: while Telegram is unreachable every poll fails, and each
# was logged as an update's error with its traceback (21 a minute: helper-110's operator review). One warning per
# outage instead (none again within this many seconds), the traceback at DEBUG.
NETWORK_WARN_EVERY = 600.0
_network_warned: list[float] = []  # when the last such warning was logged (time.monotonic)


def _polling_unreachable(update: object, error: object) -> bool:
    """Whether the error is polling failing to reach Telegram (no update; a network error, not a refusal)."""
    return update is None and isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def _warn_unreachable(error: BaseException) -> None:
    now = time.monotonic()
    if _network_warned and now - _network_warned[-1] < NETWORK_WARN_EVERY:
        log.debug("Telegram still unreachable while polling", exc_info=error)
        return
    _network_warned[:] = [now]
    log.warning(
        "cannot reach Telegram while polling (%s: %s); retrying", type(error).__name__, str(error)[:120]
    )
    log.debug("polling error", exc_info=error)


async def on_error(update: object, context: BotContext) -> None:
    """Log the error with an id, tell the user that id in Chinese, and stop the update.

    Raising ``ApplicationHandlerStop`` here keeps the update from reaching later handler groups (an apology
    followed by an unrelated answer). The exception's own text never reaches the user.
    """
    if _polling_unreachable(update, context.error):
        _warn_unreachable(context.error)
        return
    error_id = secrets.token_hex(4)
    log.error("unhandled error %s while processing an update", error_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:  # an unanswered button press keeps spinning on the user's phone
            await update.callback_query.answer(f"{ERROR_BUTTON}（{error_id}）", show_alert=True)
        except Exception:
            log.debug("callback query could not be answered", exc_info=True)
    if update.effective_chat is not None:
        text, markup = error_text(error_id), None
        if (current := await _form_step(update, context)) is not None:
            from handlers.tg.render_form import form_markup, form_text

            text, markup = f"{text}\n\n{IN_FORM_AFTER_ERROR}\n\n{form_text(current)}", form_markup(current)
        try:
            await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
        except Exception:  # the error report itself must never take the bot down
            log.warning("could not tell the user about error %s", error_id, exc_info=True)
    raise ApplicationHandlerStop


# helper-84's review: after a failed prompt the draft had moved on unseen, and the topic typed again became the
# place. The error names the step the form waits at, with its buttons.
IN_FORM_AFTER_ERROR = "表单已填的内容都保存着，当前这一步："


async def _form_step(update: Update, context: BotContext):
    """The form's current step (a ``Reply``) when the user is filling one in a private chat, else None."""
    user = update.effective_user
    if user is None or in_group(update):
        return None
    try:
        return await context.services.forms.current(user.id)
    except Exception:  # the database may be what failed
        log.warning("could not read the form's step for an error report", exc_info=True)
        return None


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button press no handler took: answered, so it does not keep spinning."""
    await update.callback_query.answer(STALE, show_alert=True)


# What a group may use: the rest is a secretary's or an administrator's (a /status there would show the branch's
# matrix to the whole group, a /submit would split the form across two chats: helper-70's review).
GROUP_COMMANDS = re.compile(r"^/(?:start|help|myid)(?:@\w+)?(?:\s|$)", re.IGNORECASE)
_COMMAND = re.compile(r"^/\w+(?:@(\w+))?")


async def group_command(update: Update, context: BotContext) -> None:
    """A command other than /start, /help and /myid in a group: where to use it instead; nothing else runs."""
    match = _COMMAND.match(update.effective_message.text or "")
    addressed = match.group(1) if match else None
    if addressed and addressed.lower() != (context.bot.username or "").lower():
        return  # another bot's command
    command = match.group(0).split("@")[0] if match else "这个命令"
    await update.effective_message.reply_text(use_privately(context.bot.username, command))
    raise ApplicationHandlerStop


def register_group_guard(application: Application, *, group: int) -> None:
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.GROUPS
            & filters.COMMAND
            & ~filters.Regex(GROUP_COMMANDS),
            group_command,
        ),
        group=group,
    )


def register(application: Application, *, group: int = 0) -> None:
    application.add_handler(command("start", start), group=group)
    application.add_handler(command("help", help_command), group=group)
    application.add_error_handler(on_error)


def register_fallbacks(application: Application, *, group: int = 0) -> None:
    """Last in line: commands nobody else took."""
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.COMMAND, unknown_command
        ),
        group=group,
    )
    application.add_handler(CallbackQueryHandler(stale_button), group=group)
