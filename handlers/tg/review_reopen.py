"""/returnrecord 记录编号 理由: an administrator returns a passed record for correction.

A passed record whose period is over cannot be amended (``amend_rules.closed_note``: it would read as not done
again); its secretary is told to ask an administrator, who re-opens it here. The secretary then gets the usual
return notice with its 修改 buttons (``review.send_notices``), and the amendment goes back to review.
"""

from __future__ import annotations

import re
import unicodedata

from telegram import Update
from telegram.ext import Application, filters

from handlers.tg.context import BotContext
from handlers.tg.guards import command, user_name
from handlers.tg.render_review import RESULT_ALERTS, STATE_WORDS
from handlers.tg.review import send_notices

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
        return f"这条记录目前{state}，不是已通过的记录，无需用此命令退回。待审核的记录请直接点“退回”。"
    if result.status == "admins_only":
        return ADMINS_ONLY
    if result.status == "comment_required":
        return "请写明退回理由（2至500字），例如：/returnrecord JL2026-000012 出勤人数有误，请更正"
    return RESULT_ALERTS.get(result.status, "找不到这条记录。")


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


def register(application: Application) -> None:
    application.add_handler(command("returnrecord", returnrecord, filters=filters.ChatType.PRIVATE))
