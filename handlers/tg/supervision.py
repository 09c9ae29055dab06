"""/supervisor, /supervisors (administrators), /dashboard (administrators and supervisors), /myid (anyone: the
user id an administrator needs), and a secretary's command (/records, /submit, /reminders, /branch) from a supervisor
or administrator without a branch of their own."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop

from handlers.tg.callbacks import parse_typed_id
from handlers.tg.context import BotContext
from handlers.tg.guards import command, user_name
from handlers.tg.invitations import tell
from handlers.tg.render_status import split_messages
from handlers.tg.status import public_url

log = logging.getLogger(__name__)

ADMINS_ONLY = "只有上级党委管理员可以使用这个命令。"
USAGE = (
    "用法：\n/supervisor 用户编号 支部编号…  设为片区督导员（可多个支部，用空格分隔）\n"
    "/supervisor remove 用户编号 支部编号…  把这些支部移出其督导范围\n"
    "/supervisor remove 用户编号  取消督导员（全部支部）\n/supervisors  查看全部督导员\n"
    "用户编号：请对方向本机器人发送 /myid 查看，再告诉您；支部编号：发送 /branches 查看。"
)
ENDED = "片区督导员身份随之取消"  # the last branch taken out of a supervisor's scope
SECRETARY = (
    "网页看板供上级党委管理员和片区督导员使用。支部书记请用 /records 查看本支部记录，/status 查看完成情况。"
)
NOT_ALLOWED = "网页看板供上级党委管理员和片区督导员使用。如需开通，请联系上级党委管理员。"
NO_URL = "管理员还没有开通网页看板，暂时无法使用。您可以先发送 /status 在聊天中查看各支部的完成情况。"
NO_URL_ADMIN = (
    "网页看板还没有开通：请在机器人的配置中设置 BRANCHBOT_PUBLIC_URL（用户访问看板的网址），然后重启机器人。"
)
NAME = "known_name"  # user_data: the user's name and @username as /myid saw them
MY_ID = (
    "您的用户编号：<code>{user_id}</code>\n"
    "上级党委管理员设置片区督导员时需要这个编号，可以直接复制发给管理员。"
)
UNKNOWN_USER = (
    "\n注意：机器人还不认识用户 {user_id}。请核对编号（对方向本机器人发送 /myid 即可看到自己的编号）。"
)
# What a secretary's command is for, said to a supervisor or administrator who has no branch of their own.
BRANCH_COMMANDS = {
    "records": "/records 是支部书记查看本支部活动记录用的",
    "submit": "/submit 是支部书记登记本支部活动用的",
    "reminders": "/reminders 是支部书记查看待办、设置提醒用的",
    "branch": "/branch 是支部书记查看和修改本支部信息用的",
}
INSTEAD_SUPERVISOR = (
    "；您是片区督导员，没有自己的支部。\n"
    "发送 /status 查看所督导支部的完成情况，/dashboard 在网页上查看各支部的记录；新记录会发给您审核。"
)
INSTEAD_ADMIN = (
    "；您是上级党委管理员，没有自己的支部。\n"
    "发送 /status 查看各支部的完成情况，/dashboard 在网页上查看各支部的记录；新记录会发给您审核。"
)
ADMIN_OWN = frozenset({"reminders"})  # an administrator's /reminders lists the failed deliveries
RECORDS_SUPERVISOR = BRANCH_COMMANDS["records"] + INSTEAD_SUPERVISOR
RECORDS_ADMIN = BRANCH_COMMANDS["records"] + INSTEAD_ADMIN


def _saved_name(context: BotContext, user_id: int) -> str | None:
    data = context.application.user_data.get(user_id)
    return data.get(NAME) if data else None


async def known_names(context: BotContext, user_ids: Iterable[int]) -> dict[int, str]:
    """The names the bot knows for these users: a secretary's stored name, else what /myid saw."""
    ids = set(user_ids)
    names = await context.services.supervision.known_names(ids)
    for user_id in ids - set(names):
        if name := _saved_name(context, user_id):
            names[user_id] = name
    return names


def who(user_id: int, names: dict[int, str]) -> str:
    """``某某（用户 700160）``, or ``用户 700160 `` when no name is known (plain text; the space before the next
    Chinese word only after the digits)."""
    name = names.get(user_id)
    return f"{name}（用户 {user_id}）" if name else f"用户 {user_id} "


async def myid(update: Update, context: BotContext) -> None:
    user = update.effective_user
    name = user_name(update)
    label = " ".join(part for part in (name, f"@{user.username}" if user.username else None) if part)
    if label:
        context.user_data[NAME] = label[:120]
    await update.effective_message.reply_text(MY_ID.format(user_id=user.id), parse_mode=ParseMode.HTML)


def _ids(parts: list[str]) -> list[int] | None:
    ids = [parse_typed_id(p) for p in parts]
    return None if not ids or any(i is None for i in ids) else [i for i in ids if i is not None]


async def supervisor(update: Update, context: BotContext) -> None:
    message, admin_id = update.effective_message, update.effective_user.id
    if admin_id not in context.services.admin_ids:
        await message.reply_text(ADMINS_ONLY)
        return
    args = list(context.args or [])
    if args and args[0].lower() == "remove":
        ids = _ids(args[1:])
        if ids is None:
            await message.reply_text(USAGE)
            return
        await _remove(context, message, admin_id, ids[0], ids[1:] or None)
        return
    ids = _ids(args)
    if ids is None or len(ids) < 2:
        await message.reply_text(USAGE)
        return
    await _grant(context, message, admin_id, ids[0], ids[1:])


NO_SUCH_BRANCHES = "没有这些支部：{}。发送 /branches 查看支部编号。"


def _listed(branch_ids: Iterable[int]) -> str:
    return "、".join(str(b) for b in sorted(branch_ids))


async def _remove(
    context: BotContext, message: Message, admin_id: int, user_id: int, branch_ids: list[int] | None
) -> None:
    """``/supervisor remove 用户 [支部…]``: the whole role, or only those branches (a district re-cut)."""
    change = await context.services.supervision.revoke(admin_id, user_id, branch_ids)
    if change.status == "unknown_branch":
        await message.reply_text(NO_SUCH_BRANCHES.format(_listed(change.unknown)))
        return
    names = await known_names(context, [user_id])
    if change.status == "not_supervisor":  # helper-86's review: a removal that never happened was confirmed
        if branch_ids is not None and change.branch_ids:
            text = f"{who(user_id, names)}并不负责支部 {_listed(branch_ids)}，无需移出。"
            await message.reply_text(text + f"对方负责的支部：{_listed(change.branch_ids)}。")
            return
        await message.reply_text(
            f"{who(user_id, names)}不是片区督导员，无需取消。发送 /supervisors 查看名单。"
        )
        return
    if branch_ids is None:
        await message.reply_text(f"已取消{who(user_id, names)}的片区督导员身份。")
        await tell(context.bot, [user_id], "您的片区督导员身份已被上级党委管理员取消。")
        return
    removed, left = _listed(change.changed), _listed(change.branch_ids)
    admin_text = f"已将支部 {removed} 移出{who(user_id, names)}的督导范围"
    if outside := set(branch_ids) - change.changed:
        admin_text += f"（支部 {_listed(outside)} 本不在其督导范围内）"
    user_text = f"上级党委管理员已将支部 {removed} 移出您的督导范围"
    if left:
        admin_text += f"，对方仍负责支部：{left}。"
        user_text += f"。您现在负责支部：{left}。"
    else:
        admin_text += f"；对方已不再负责任何支部，{ENDED}。"
        user_text += f"；您已不再负责任何支部，{ENDED}。"
    await message.reply_text(admin_text)
    await tell(context.bot, [user_id], user_text)


def _own_branch_note(own: tuple[int, str]) -> str:
    """Why the branch a user is secretary of is left out of their scope (after their name)."""
    branch_id, name = own
    return f"是支部 {branch_id}（{name}）的书记，不能督导自己的支部（本支部的记录须由管理员或其他督导员审核）"


async def _grant(
    context: BotContext, message: Message, admin_id: int, user_id: int, branch_ids: list[int]
) -> None:
    change = await context.services.supervision.grant(admin_id, user_id, branch_ids)
    if change.status == "unknown_branch":
        await message.reply_text(NO_SUCH_BRANCHES.format(_listed(change.unknown)))
        return
    names = await known_names(context, [user_id])
    if change.status == "own_branch" and change.own_branch is not None:  # helper-96's review: was silent
        note = _own_branch_note(change.own_branch)
        await message.reply_text(
            f"未设置：{who(user_id, names)}{note}。如需其督导其他支部，请写那些支部的编号。"
        )
        return
    scope = _listed(change.branch_ids)
    text = (
        f"{who(user_id, names)}现在是片区督导员，负责支部：{scope}。对方发送 /status 或 /dashboard 即可使用。"
    )
    if change.own_branch is not None:
        text += f"\n注意：未包括支部 {change.own_branch[0]}，对方{_own_branch_note(change.own_branch)}。"
    await message.reply_text(text + ("" if user_id in names else UNKNOWN_USER.format(user_id=user_id)))
    await tell(  # helper-86's review: a new supervisor was never told
        context.bot,
        [user_id],
        f"上级党委管理员已将您设为片区督导员，负责支部（编号）：{scope}。这些支部提交的活动记录会发给您审核；"
        "发送 /status 查看各支部的完成情况，/dashboard 在网页上查看。",
    )


async def supervisors(update: Update, context: BotContext) -> None:
    rows = await context.services.supervision.supervisors(update.effective_user.id)
    if rows is None:
        await update.effective_message.reply_text(ADMINS_ONLY)
        return
    if not rows:
        await update.effective_message.reply_text("还没有片区督导员。\n" + USAGE)
        return
    lines = ["<b>片区督导员</b>"]
    people = await known_names(context, [row.user_id for row in rows])
    for row in rows:
        names = [f"{escape(b.name)}（{b.id}）" for b in row.branches]
        lines += wrap_names(f"• {escape(who(row.user_id, people).rstrip())}：", names)
    # whole lines per message: a cut inside an entity (&amp;) would make Telegram refuse the message
    for text in split_messages(lines):
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


LINE = 1000  # a supervisor of many branches gets several lines, so no line is ever cut


def wrap_names(head: str, names: list[str], width: int = LINE) -> list[str]:
    """``head`` and the names joined by 、 over lines of about ``width`` characters, broken between names."""
    lines, current, fresh = [], head, True
    for name in names:
        if not fresh and len(current) + 1 + len(name) > width:
            lines.append(current + "、")
            current, fresh = "  ", True
        current += name if fresh else "、" + name
        fresh = False
    return [*lines, current]


async def dashboard(update: Update, context: BotContext) -> None:
    message = update.effective_message
    url = public_url(context)
    issued = await context.services.auth.issue_login_link(update.effective_user.id, user_name(update))
    if issued.status == "secretary":
        await message.reply_text(SECRETARY)
        return
    if issued.status != "ok" or issued.token is None:
        await message.reply_text(NOT_ALLOWED)
        return
    if url is None:
        log.warning("/dashboard: the web dashboard has no address; set BRANCHBOT_PUBLIC_URL")
        admin = update.effective_user.id in context.services.admin_ids
        await message.reply_text(NO_URL_ADMIN if admin else NO_URL)
        return
    from handlers.web import login_url  # the web side owns the link's shape

    link = login_url(url, issued.token)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("打开网页看板", url=link)]])
    await message.reply_text(
        f"网页看板登录链接（10分钟内有效，仅能使用一次，请勿转发）：\n{link}",
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def without_branch(name: str):
    """/records, /submit, /reminders or /branch from a supervisor or administrator who is no secretary: what
    they can do instead (not "ask for an invitation"). Anyone else's goes on to the command's own handler."""

    async def tell(update: Update, context: BotContext) -> None:
        viewer = await context.services.supervision.viewer(update.effective_user.id)
        if viewer.own_branch is not None or viewer.role not in ("admin", "supervisor"):
            return
        if viewer.is_admin and name in ADMIN_OWN:
            return
        instead = INSTEAD_ADMIN if viewer.is_admin else INSTEAD_SUPERVISOR
        await update.effective_message.reply_text(BRANCH_COMMANDS[name] + instead)
        raise ApplicationHandlerStop

    return tell


def register_before_branch_commands(application: Application, *, group: int) -> None:
    """In a group before the commands' own handlers (see ``handlers.tg.registry``)."""
    for name in BRANCH_COMMANDS:
        application.add_handler(command(name, without_branch(name)), group=group)


def register(application: Application) -> None:
    application.add_handler(command("myid", myid))
    application.add_handler(command("supervisor", supervisor))
    application.add_handler(command("supervisors", supervisors))
    application.add_handler(command("dashboard", dashboard))
