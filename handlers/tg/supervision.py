"""/supervisor, /supervisors (administrators) and /dashboard (administrators and supervisors)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application

from handlers.tg.callbacks import parse_id
from handlers.tg.context import BotContext
from handlers.tg.guards import command
from handlers.tg.status import public_url

ADMINS_ONLY = "只有上级党委管理员可以使用这个命令。"
USAGE = (
    "用法：\n/supervisor 用户编号 支部编号…  设为片区督导员（可多个支部，用空格分隔）\n"
    "/supervisor remove 用户编号  取消督导员\n/supervisors  查看全部督导员"
)
SECRETARY = (
    "网页看板供上级党委管理员和片区督导员使用。支部书记请用 /records 查看本支部记录，/status 查看完成情况。"
)
NOT_ALLOWED = "网页看板供上级党委管理员和片区督导员使用。如需开通，请联系上级党委管理员。"
NO_URL = "网页看板的地址还没有配置（BRANCHBOT_PUBLIC_URL），请联系管理员。"


def _ids(parts: list[str]) -> list[int] | None:
    ids = [parse_id(p) for p in parts]
    return None if not ids or any(i is None for i in ids) else [i for i in ids if i is not None]


async def supervisor(update: Update, context: BotContext) -> None:
    message, admin_id = update.effective_message, update.effective_user.id
    if admin_id not in context.services.admin_ids:
        await message.reply_text(ADMINS_ONLY)
        return
    args = list(context.args or [])
    service = context.services.supervision
    if len(args) == 2 and args[0].lower() == "remove" and (user_id := parse_id(args[1])) is not None:
        await service.revoke(admin_id, user_id)
        await message.reply_text(f"已取消用户 {user_id} 的片区督导员身份。")
        return
    ids = _ids(args)
    if ids is None or len(ids) < 2:
        await message.reply_text(USAGE)
        return
    user_id, branch_ids = ids[0], ids[1:]
    change = await service.grant(admin_id, user_id, branch_ids)
    if change.status == "unknown_branch":
        missing = "、".join(str(b) for b in sorted(change.unknown))
        await message.reply_text(f"没有这些支部：{missing}。发送 /branches 查看支部编号。")
        return
    scope = "、".join(str(b) for b in sorted(change.branch_ids))
    await message.reply_text(
        f"用户 {user_id} 现在是片区督导员，负责支部：{scope}。对方发送 /status 或 /dashboard 即可使用。"
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
    for row in rows:
        names = "、".join(f"{escape(b.name)}（{b.id}）" for b in row.branches)
        lines.append(f"• 用户 {row.user_id}：{names}")
    await update.effective_message.reply_text("\n".join(lines)[:4000], parse_mode=ParseMode.HTML)


async def dashboard(update: Update, context: BotContext) -> None:
    message = update.effective_message
    url = public_url(context)
    issued = await context.services.auth.issue_login_link(update.effective_user.id)
    if issued.status == "secretary":
        await message.reply_text(SECRETARY)
        return
    if issued.status != "ok" or issued.token is None:
        await message.reply_text(NOT_ALLOWED)
        return
    if url is None:
        await message.reply_text(NO_URL)
        return
    from handlers.web import login_url  # the web side owns the link's shape

    link = login_url(url, issued.token)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("打开网页看板", url=link)]])
    await message.reply_text(
        f"网页看板登录链接（10分钟内有效，仅能使用一次，请勿转发）：\n{link}",
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def register(application: Application) -> None:
    application.add_handler(command("supervisor", supervisor))
    application.add_handler(command("supervisors", supervisors))
    application.add_handler(command("dashboard", dashboard))
