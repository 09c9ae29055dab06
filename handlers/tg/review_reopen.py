"""/returnrecord 记录编号 理由, or the 退回更正 button under a passed record an administrator opened (then a reason is
asked for, as 退回 asks for its comment): an administrator returns a passed record for correction.

A passed record whose period is over cannot be amended (``amend_rules.closed_note``: it would read as not done
again); its secretary is told to ask an administrator, who re-opens it here. The secretary then gets the usual
return notice with its 修改 buttons (``review.send_notices``), and the amendment goes back to review.
"""

from __future__ import annotations

import re
import unicodedata

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, filters

from handlers.services.review import MAX_COMMENT
from handlers.tg import pending
from handlers.tg.callbacks import REVIEW_PREFIX, STALE, decode_review
from handlers.tg.context import BotContext
from handlers.tg.edit import drop_buttons, edit_markup
from handlers.tg.guards import command, incoming_text, user_name
from handlers.tg.render_review import COMMENT_TOO_LONG, RESULT_ALERTS, STATE_WORDS
from handlers.tg.review import replaced_note, send_notices

USAGE = (
    "用法：/returnrecord 记录编号 退回理由\n"
    "例如：/returnrecord JL2026-000012 出勤人数有误，请更正\n"
    "把已审核通过的记录退回支部书记修改（管理员）。退回后该期活动显示为已退回，书记修改并重新审核通过前不算完成。"
)
ADMINS_ONLY = "只有上级党委管理员可以退回已通过的记录。"
_NUMBER = re.compile(r"(?:JL\d{4}-)?0*([1-9]\d{0,9})", re.IGNORECASE)
MAX_ID = 2**31 - 1


def record_id(text: str) -> int | None:
    """A record number as shown (JL2026-000012) or its id alone (12), full-width digits too."""
    match = _NUMBER.fullmatch(unicodedata.normalize("NFKC", text).strip())
    value = int(match.group(1)) if match else 0
    return value if 0 < value <= MAX_ID else None


def _reply(result) -> str:
    record = result.record
    if result.status == "ok":
        told = "，已通知支部书记修改" if result.notify else ""
        return (
            f"↩️ 已退回：{record.branch_name} {record.kind_name}（{record.number}）{told}。\n"
            "书记修改后会重新提交审核；审核通过前，该期这项活动显示为已退回、不算完成。"
        )
    if result.status == "not_passed" and record is not None:
        state = STATE_WORDS.get(record.review_state, record.review_state)
        return f"这条记录目前{state}，不是已通过的记录，无需退回更正。待审核的记录请直接点“退回”。"
    if result.status == "admins_only":
        return ADMINS_ONLY
    if result.status == "comment_required":
        return "请写明退回理由（2至500字），例如：/returnrecord JL2026-000012 出勤人数有误，请更正"
    return RESULT_ALERTS.get(result.status, "找不到这条记录。")


# A 退回更正 button whose record can no longer be returned so: it is taken off the message it was on.
SPENT = frozenset({"not_passed", "withdrawn", "missing"})
REASON = "请填写退回更正的理由，说明需要书记更正什么（2至500字，发送 /cancel 取消）：\n记录编号：{}"
REASON_AGAIN = "退回理由需2至500字，请重新发送（/cancel 取消）："


async def returnrecord(update: Update, context: BotContext) -> None:
    message = update.effective_message
    services = context.services
    if update.effective_user.id not in services.admin_ids:
        await message.reply_text(ADMINS_ONLY)
        return
    args = context.args or []
    target = record_id(args[0]) if args else None
    if target is None:
        await message.reply_text(USAGE)
        return
    result = await services.review.reopen_passed(
        update.effective_user.id, target, " ".join(args[1:]), name=user_name(update)
    )
    try:
        await message.reply_text(_reply(result), parse_mode=None)
    finally:  # the secretary is told even when the administrator's own line fails
        if result.status == "ok":
            await send_notices(context.bot, result.notify)


async def on_button(update: Update, context: BotContext) -> None:
    """退回更正: asks for the reason while the record is passed (the reason's arrival checks again)."""
    query = update.callback_query
    decoded = decode_review(query.data or "")
    if decoded is None:
        await query.answer(STALE, show_alert=True)
        return
    target = decoded[1]
    result = await context.services.review.may_reopen(query.from_user.id, target)
    if result.status != "ok" or result.record is None:
        await query.answer(_reply(result), show_alert=True)
        if result.status in SPENT:
            await edit_markup(query, None)
        return
    await query.answer()
    origin = query.message.message_id if query.message else None  # its button goes once the record moves
    dropped = await pending.leave(context)
    number = result.record.number
    await pending.expect(context, "review_reopen", record_id=target, origin=origin, number=number)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await context.bot.send_message(
        chat_id, replaced_note(dropped, target, "review_reopen") + REASON.format(number)
    )


@pending.on("review_reopen")
async def _reason(update: Update, context: BotContext, state: dict) -> None:
    """The reason: the record is returned only if it is still passed (a change meanwhile stands)."""
    text = incoming_text(update)
    message = update.effective_message
    result = await context.services.review.reopen_passed(
        update.effective_user.id, state["record_id"], text, name=user_name(update)
    )
    if result.status == "comment_required":  # still waiting: nothing entered is lost but the bad reason
        too_long = len(text) > MAX_COMMENT
        await message.reply_text(COMMENT_TOO_LONG.format(len(text)) if too_long else REASON_AGAIN)
        return
    await pending.clear(context)
    origin = state.get("origin")
    if isinstance(origin, int) and (result.status == "ok" or result.status in SPENT):
        await drop_buttons(context.bot, message.chat.id, origin)
    try:
        await message.reply_text(_reply(result), parse_mode=None)
    finally:  # the secretary is told even when the administrator's own line fails
        if result.status == "ok":
            await send_notices(context.bot, result.notify)


def register(application: Application) -> None:
    application.add_handler(command("returnrecord", returnrecord, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{REVIEW_PREFIX}reopen:"))
