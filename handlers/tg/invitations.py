"""Invitations: /start <code> (the deep link an administrator sends), the same code pasted into the chat, and
the question asked before a secretary of another branch moves to the invitation's branch."""

from __future__ import annotations

import logging
from html import escape

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler

from handlers.services.branches import Redeemed, pasted_code
from handlers.tg.callbacks import INVITE_PREFIX, STALE, decode_invite, encode_invite
from handlers.tg.common import in_group, private_chat
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_markup, edit_text
from handlers.tg.guards import command, user_name
from handlers.tg.render import profile_html

REDEEM_REPLIES = {
    "unknown": "邀请码无效。请核对链接是否完整，或联系上级党委管理员重新生成。",
    "malformed": "邀请码无效。请核对链接是否完整，或联系上级党委管理员重新生成。",
    "used": "这个邀请链接已经被使用过了。如需更换书记，请联系上级党委管理员生成新的邀请链接。",
    "expired": "这个邀请链接已过期（有效期7天）。请联系上级党委管理员重新生成。",
    "revoked": "这个邀请链接已作废（上级党委管理员已生成新的链接）。请使用最新的链接。",
    "closed": "这个邀请链接已作废：该支部已被上级党委撤销。如有疑问，请联系上级党委管理员。",
}

log = logging.getLogger(__name__)


RESUMED = "之前的提醒没能送达，现已恢复。发送 /reminders 查看本支部的待办。"


async def _mark_reachable(context: BotContext, user_id: int) -> bool:
    """The user wrote to the bot: reminders reach them again (True if they had been marked unreachable)."""
    try:
        return await context.services.reminders.mark_reachable(user_id)
    except Exception:  # /start must answer even if this fails; the next /start tries again
        log.exception("could not mark user as reachable")
        return False


async def start_with_code(update: Update, context: BotContext) -> None:
    """/start, and /start <code> (the deep link of an invitation). Both mark the secretary reachable again."""
    if not context.args:
        if await _mark_reachable(context, update.effective_user.id):
            await update.effective_message.reply_text(RESUMED)
        return  # common.start answers
    # /start <code>。 or a code typed in full-width letters: read as a pasted code is (``pasted_code``)
    await join(update, context, pasted_code(" ".join(context.args)) or context.args[0])
    raise ApplicationHandlerStop


async def join(update: Update, context: BotContext, code: str) -> None:
    """Open the invitation ``code`` for the user, and answer: /start <code>, and the code pasted into the chat
    (``handlers.tg.qa``), alike."""
    if in_group(update):  # never in a group: the profile would be posted there, the admin's question pressed
        await update.effective_message.reply_text(open_privately(context.bot.username))
        return
    user = update.effective_user
    admin = user.id in context.services.admin_ids  # may only be checking the link: asked before it is spent
    result = await context.services.branches.redeem(
        code, user_id=user.id, name=user_name(update), ask_first=admin
    )
    await _mark_reachable(context, user.id)  # the branch they now lead, or the one they already led
    await _answer_redeem(context, update.effective_chat.id, result, code, user.id)


def open_privately(bot_username: str | None) -> str:
    """An invitation sent in a group: where to open it instead (the link stays unused)."""
    where = private_chat(bot_username)
    return (
        f"邀请链接只能在与我的私聊中打开，发在群里无效。请私聊 {where}，再点开管理员发来的链接。"
        "邀请码已在群里公开，建议撤回这条消息。"
    )


OWN_BRANCH_LINK = (
    "您已经是“{name}”的书记，无需打开这个链接。它是管理员新生成的（可能是为更换书记），仍然有效，没有被使用；"
    "如不需要更换书记，可以忽略。"
)
ALREADY_SECRETARY = (
    "这个邀请链接已经被使用过了。您已经是“{name}”的书记，无需再次打开链接。\n"
    "发送 /submit 登记活动记录，/records 查看记录，/branch 查看或修改支部信息。"
)

STALE_OWN_LINK = (
    "这个邀请链接已失效，不过您已经是“{name}”的书记，无需打开链接。\n"
    "发送 /submit 登记活动记录，/records 查看记录，/branch 查看或修改支部信息。"
)


async def _answer_redeem(
    context: BotContext, chat_id: int, result: Redeemed, code: str, user_id: int
) -> None:
    """Welcome the new secretary (and tell the one they replaced), ask before a move, or say why not."""
    if result.status == "confirm" and result.branch is not None and result.left is None:
        await context.bot.send_message(
            chat_id,
            ADMIN_QUESTION.format(name=escape(result.branch.name)),
            parse_mode=ParseMode.HTML,
            reply_markup=admin_keyboard(code),
        )
    elif result.status == "confirm" and result.branch is not None and result.left is not None:
        await context.bot.send_message(
            chat_id,
            move_question(result),
            parse_mode=ParseMode.HTML,
            reply_markup=move_keyboard(result, code),
        )
    elif result.status == "ok" and result.branch is not None:
        left = f"您已不再是“{escape(result.left.name)}”的书记{LEFT_NOTE}。\n" if result.left else ""
        if result.unsupervised:  # nobody supervises their own branch
            left += "您原是该支部的片区督导员；成为书记后不再督导本支部，其记录由管理员或其他督导员审核。\n"
        profile = profile_html(result.branch, await context.services.branches.exempt_now(result.branch))
        await context.bot.send_message(
            chat_id,
            f"欢迎！您已成为“{escape(result.branch.name)}”的书记。\n{left}\n{profile}\n\n"
            "发送 /submit 登记活动记录，/records 查看记录，/branch 查看或修改支部信息。",
            parse_mode=ParseMode.HTML,
        )
        branch, who = result.branch, result.branch.secretary_name or "新书记"
        if result.replaced is not None:
            await tell(
                context.bot,
                [result.replaced[0]],
                f"您已不再是“{branch.name}”的书记：{who}已通过管理员生成的新邀请链接成为该支部书记。"
                + (REPLACED_DRAFT if result.replaced_draft else "")
                + "如有疑问，请联系上级党委管理员。",
            )
        if result.left is not None:  # the branch they left has no secretary now: whoever can invite is told
            left = result.left
            await tell(
                context.bot,
                sorted(context.services.admin_ids),
                f"ℹ️ {who}已从“{left.name}”转为“{branch.name}”的书记。“{left.name}”（编号 {left.id}）现无书记，"
                f"可发送 /invite {left.id} 生成新的邀请链接。",
            )
    elif result.status == "own_branch" and result.branch is not None:
        await context.bot.send_message(chat_id, OWN_BRANCH_LINK.format(name=result.branch.name))
    else:
        await context.bot.send_message(chat_id, await _refused(context, result, user_id))


async def _refused(context: BotContext, result: Redeemed, user_id: int) -> str:
    """Why the link was not used; a secretary who already leads a branch is told so rather than sent to the
    administrator for a link they do not need."""
    if result.status in ("expired", "revoked") and result.branch is not None:
        if result.branch.secretary_user_id == user_id:  # an old link of the branch they lead
            return STALE_OWN_LINK.format(name=result.branch.name)
    if result.status == "used" and (current := await context.services.branches.of_user(user_id)) is not None:
        return ALREADY_SECRETARY.format(name=current.name)  # most likely their own link, opened again
    return REDEEM_REPLIES.get(result.status, REDEEM_REPLIES["unknown"])


LEFT_NOTE = "（该支部现无书记，需由上级党委管理员重新邀请）"
# The former secretary's unfinished draft belongs to a branch that is no longer theirs (helper-67's review: it was
# dropped without a word, and its 确认提交 then said only that there was no form).
REPLACED_DRAFT = "您填写中、尚未提交的活动记录已无法提交，请把照片和材料转交新书记登记。"


def move_question(result: Redeemed) -> str:
    """What moving to the invitation's branch would do, before the user decides."""
    left, target = escape(result.left.name), escape(result.branch.name)
    lines = [
        f"您目前是“{left}”的书记，这个邀请链接是“{target}”的。一人只能担任一个支部的书记。",
        f"如果转到“{target}”：",
        f"• “{left}”将没有书记，需由上级党委管理员生成新的邀请链接另请书记；它已登记的活动记录仍保留在“{left}”；",
    ]
    if result.draft:
        lines.append(f"• 您未填完的“{left}”活动记录草稿将作废；")
    if result.replaced is not None:
        who = escape(result.replaced[1] or "现任书记")
        lines.append(f"• “{target}”的现任书记{who}将不再担任书记；")
    lines.append(f"要转到“{target}”吗？")
    return "\n".join(lines)


ADMIN_QUESTION = (
    "您是上级党委管理员。打开这个邀请链接后，您将成为“{name}”的书记，链接随即失效，真正的书记就不能再用了。\n"
    "如果只是想看看链接能否打开，请点“不使用，保留链接”。"
)


def admin_keyboard(code: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("确认由我担任书记", callback_data=encode_invite(None, code))],
            [InlineKeyboardButton("不使用，保留链接", callback_data=encode_invite(None, None))],
        ]
    )


def move_keyboard(result: Redeemed, code: str) -> InlineKeyboardMarkup:
    name = result.branch.name if len(result.branch.name) <= 20 else result.branch.name[:19] + "…"
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"确认转到{name}", callback_data=encode_invite(result.left.id, code))],
            [InlineKeyboardButton("保留现状", callback_data=encode_invite(None, None))],
        ]
    )


async def tell(bot: Bot, user_ids: list[int], text: str) -> None:
    """A plain notice (a replaced secretary, the administrators, a new supervisor) at once, not at the reader's
    next command; best effort."""
    for user_id in user_ids:
        try:
            await bot.send_message(user_id, text)
        # blocked the bot, or never started it: what caused the notice stands anyway
        except TelegramError as exc:
            log.warning("could not tell user %s of a change of role: %s", user_id, exc)


NOT_YOURS = "这个按钮只对收到它的人有效。邀请链接请在与我的私聊中打开。"


async def on_invite_button(update: Update, context: BotContext) -> None:
    """确认转到… (the invitation is opened again, now confirmed) or 保留现状."""
    query = update.callback_query
    decoded = decode_invite(query.data or "")
    if decoded is None:
        await query.answer(STALE, show_alert=True)
        return
    user_id = query.from_user.id
    # Only the user who was asked, in their private chat (a question posted in a group before: not its members)
    if query.message is None or query.message.chat.id != user_id:
        await query.answer(NOT_YOURS, show_alert=True)
        return
    if decoded == "keep":
        await query.answer()
        current = await context.services.branches.of_user(user_id)
        still = f"您仍是“{current.name}”的书记。" if current is not None else ""
        await edit_text(query, f"好的，保留现状：{still}这个邀请链接没有使用。")
        return
    left_id, code = decoded
    result = await context.services.branches.redeem(
        code, user_id=user_id, name=user_name(update), confirm_from=left_id or None
    )
    await query.answer()
    await edit_markup(query, None)
    await _answer_redeem(context, user_id, result, code, user_id)


def register(application: Application, *, group: int = -2) -> None:
    """/start in ``group`` (before the commands of group 0); the move question's buttons in group 0."""
    application.add_handler(command("start", start_with_code), group=group)
    application.add_handler(CallbackQueryHandler(on_invite_button, pattern=f"^{INVITE_PREFIX}"))
