"""A branch's profile changed: its supervisors and the administrators are told in their private chat
(``handlers.services.profile_notice`` says whom and what).

Sent after the secretary's own reply, best effort: the change is saved before, and a recipient who blocked the bot
(or never started it) or a request that still fails after the transport's retries (``handlers.tg.transport``: a
429 waits and is retried, a 5xx is retried twice) is logged and skipped; the others are still told."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from handlers.services.profile_notice import DutyChange, ProfileNotice

log = logging.getLogger(__name__)

FIELD_NAMES = {"form": "组织形式", "formal_members": "正式党员人数", "units": "联合单位数"}


def duty_line(duties: DutyChange | None) -> str:
    if duties is None:
        return "应开展的活动：不变。"
    what = "支部委员会、党小组会" if duties.committee_only else ""  # else: the activities of those periods
    then = "计入完成情况并提醒" if duties.owed else "不再计入完成情况、不再提醒"
    line = f"应开展的活动：{what}自{'、'.join(duties.periods)}起{then}"
    return line + ("（本期仍按修改前的情况）。" if duties.deferred else "。")


def notice_text(notice: ProfileNotice) -> str:
    lines = [f"📋 支部信息变更：{notice.org_name} · {notice.branch_name}（编号 {notice.branch_id}）"]
    lines += [f"{FIELD_NAMES[c.field]}：{c.old} → {c.new}" for c in notice.changes]
    lines.append(duty_line(notice.duties))
    if notice.warnings:
        lines += ["⚠️ 对照讲话要求：", *(f"• {w}" for w in notice.warnings)]
    lines.append(f"修改人：{notice.by_name}")
    return "\n".join(lines)


async def send_profile_notice(bot: Bot, notice: ProfileNotice | None) -> int:
    """Tell each recipient; returns how many were told."""
    if notice is None:
        return 0
    text, sent = notice_text(notice), 0
    for user_id in notice.recipients:
        try:
            await bot.send_message(user_id, text)
            sent += 1
        except TelegramError as exc:  # the change stands; the others are still told
            log.warning(
                "could not tell user %s of branch %s's profile change: %s", user_id, notice.branch_id, exc
            )
    return sent
