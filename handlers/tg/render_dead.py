"""The deliveries that could not be made, and why, in Chinese: what an administrator without a branch of their own
sees on /reminders (HTML, names escaped)."""

from __future__ import annotations

from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from handlers.tg.render_reminders import STAGE_NAMES, day_label
from knowledge.activities import activity_by_code

# What a delivery's stored reason (``messenger.delivery_error``, the sender) means, for administrators.
FAILURE_REASONS = {
    "403 forbidden": "对方已屏蔽机器人或注销了账号",
    "400 chat not found": "对方从未与机器人对话",
    "400 bad request": "Telegram 拒收了这条消息（程序问题，请联系维护人员）",
    "timeout": "连接 Telegram 超时",
    "network error or 5xx": "网络错误或 Telegram 服务器暂时故障",
    "attempts exhausted": "发送过程多次中断",
    "secretary unreachable": "书记无法联系",
}


def failure_reason(code: str | None) -> str:
    """A delivery's stored reason (a fixed English phrase) in Chinese."""
    if not code:
        return "原因不明"
    code = code.lower()
    if code in FAILURE_REASONS:
        return FAILURE_REASONS[code]
    if code.startswith("429"):
        return "Telegram 限制发送频率"
    if code.startswith("telegram "):
        return "Telegram 返回错误"
    if code.startswith("unexpected "):
        return "程序内部错误（请联系维护人员）"
    return "其他错误"


def _undelivered_who(row: Any, names: dict[int, str]) -> str:
    if row.branch_id is not None:
        return escape(row.branch_name) if row.branch_name else f"支部 {row.branch_id}"
    if row.audience == "admin":
        name = names.get(row.chat_id)
        return f"管理员 {escape(name)}" if name else f"管理员 {row.chat_id}"
    return f"书记 {row.chat_id}"


def _undelivered_line(row: Any, tz: ZoneInfo, names: dict[int, str]) -> str:
    who = _undelivered_who(row, names)
    when = row.updated_at.astimezone(tz)
    when_label = f"{day_label(when.date())} {when:%H:%M}"
    kinds = "、".join(k.name if (k := activity_by_code(code)) else code for code in row.kinds)
    what = f"{escape(row.period_label or row.period)}{STAGE_NAMES.get(row.stage, '月度汇总')}"
    if kinds:
        what += f"（{escape(kinds)}）"
    if row.status == "failed":
        now = "仍无法联系，提醒已暂停" if row.unreachable else "已重新发送 /start，提醒已恢复"
        if row.branch_id is None:
            now = "此后的汇总照常发送"
        return f"• {who} · {what}：{when_label} 无法送达，{failure_reason(row.last_error)}（{now}）"
    return (
        f"• {who} · {what}：尝试 {row.attempts} 次，最后一次 {when_label}（{failure_reason(row.last_error)}）"
    )


SECTION_BUDGET = 1800  # characters of lines per section: the two together stay within a message's 4096


def _capped(lines: list[str], budget: int = SECTION_BUDGET) -> list[str]:
    """As many whole lines as fit in ``budget`` characters, then how many were left out."""
    out: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            out.append(f"……还有 {len(lines) - n} 条未列出")
            break
        out.append(line)
        used += len(line) + 1
    return out


def dead_html(dead: list[Any], tz: ZoneInfo, names: dict[int, str] | None = None) -> str:
    """For administrators: the deliveries that did not get through, newest first: those Telegram refused (the
    secretary blocked the bot or deleted the account: unreachable, as /branches shows), then those whose retries
    ran out (network errors, 5xx). Branches by name, periods and reasons in Chinese; ``names`` gives the
    administrators' names where known (user id -> name)."""
    names = names or {}
    if not dead:
        return "📮 <b>提醒发送情况</b>\n没有发送失败的提醒。"
    refused = [row for row in dead if row.status == "failed"]
    gave_up = [row for row in dead if row.status != "failed"]
    parts = []
    if refused:
        lines = [f"🚫 <b>无法送达的提醒</b>（最近 {len(refused)} 条）："]
        lines += _capped([_undelivered_line(row, tz, names) for row in refused])
        lines.append(
            "这些提醒被 Telegram 拒收（对方屏蔽了机器人、注销了账号或从未与机器人对话）；"
            "书记重新向机器人发送 /start 之前不再提醒（/branches 中标为“无法联系”）。"
        )
        parts.append("\n".join(lines))
    if gave_up:
        lines = [f"📮 <b>发送失败的提醒</b>（最近 {len(gave_up)} 条，重试已用完）："]
        lines += _capped([_undelivered_line(row, tz, names) for row in gave_up])
        lines.append("这些提醒因网络或 Telegram 的故障没能送出；之后的提醒照常发送。")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
