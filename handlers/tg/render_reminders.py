"""Reminders in Telegram: the reminder a secretary gets and the /reminders view (the administrators' digest:
``handlers.tg.render_digest``).

HTML throughout: every text that is not ours (branch and organisation names, mute reasons, the speeches) is
escaped. Button data comes from ``handlers.tg.callbacks`` only. Phone-sized: one kind per line, one button per
kind.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.services.reminders import (
    CadenceStatus,
    DeliveryView,
    KindState,
    MuteScope,
    ReminderStatus,
)
from handlers.tg.callbacks import ReminderButton, encode_record, encode_reminder
from knowledge.activities import Cadence
from knowledge.highlight import sentences
from knowledge.render import citation, trim
from knowledge.schedule import MAX_HOUR, MIN_HOUR, Stage

log = logging.getLogger(__name__)

QUOTE_LENGTH = 80
WEEKDAYS = "一二三四五六日"
SCOPE_WORDS = {Cadence.MONTHLY: "本月", Cadence.QUARTERLY: "本季度", Cadence.YEARLY: "本年度"}
STAGE_NAMES = {Stage.OPEN: "首次提醒", Stage.NUDGE: "中期提醒", Stage.LAST: "最后提醒"}
STATE_MARKS = {
    KindState.DONE: "✅",
    KindState.WAITING: "⏳",  # as /status marks a slot waiting for review
    KindState.MISSING: "⬜",
    KindState.MUTED: "🔕",
    KindState.RETURNED: "↩️",
    KindState.EXEMPT: "○",
}


def button(label: str, action: ReminderButton) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode_reminder(action))


def record_button(label: str, record_id: int) -> InlineKeyboardButton:
    """Opens a record as /records does (``r:open:<id>``, served by ``handlers.tg.records``)."""
    return InlineKeyboardButton(label, callback_data=encode_record("open", record_id))


def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日"


def moment_label(at: datetime, tz: ZoneInfo, today: date | None = None) -> str:
    """``12月1日（周二）09:00``; with the year in front when ``today`` is given and falls in another year."""
    local = at.astimezone(tz)
    year = f"{local.year}年" if today is not None and local.year != today.year else ""
    return f"{year}{day_label(local.date())}（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


# -- the rule from the speeches ---------------------------------------------------------------------------------


def quote_line(kb: Any, cite: str) -> str | None:
    """One line: the sentence of the speeches that states ``cite``, and where it stands (None if not found)."""
    try:
        passage = kb.find(cite)
    except Exception:  # a knowledge base being swapped or a stand-in: the reminder goes without the quote
        log.warning("could not look up the rule for a reminder", exc_info=True)
        return None
    if passage is None:
        return None
    sentence = next((s.strip() for s in sentences(passage.text) if cite in s), cite)
    quote = trim(sentence, QUOTE_LENGTH, around=cite)
    return f"📖 “{escape(quote)}”<i>（{escape(citation(passage.source, passage.section))}）</i>"


# -- the reminder -----------------------------------------------------------------------------------------------


def reminder_title(view: DeliveryView) -> str:
    label = escape(view.period_label)
    if view.stage is Stage.OPEN:
        return f"📋 <b>{label}待完成</b>"
    if view.stage is Stage.NUDGE:
        return f"⏰ <b>{label}还有活动未登记</b>"
    return f"⚠️ <b>最后提醒：{label}即将截止</b>"


def _reminder_lead(view: DeliveryView) -> str:
    """What the list below is: kinds not recorded, records returned to amend, or both."""
    scope, day = SCOPE_WORDS[view.cadence], day_label(view.deadline)
    if not view.returned:
        return f"{scope}以下活动还没有登记，请在{day}前开展并登记："
    if len(view.returned) == len(view.kinds):
        return f"{scope}以下活动的记录已被退回，请在{day}前修改并重新提交："
    return f"{scope}以下活动还没有完成登记，请在{day}前登记，或修改退回的记录后重新提交："


def reminder_html(view: DeliveryView, kb: Any) -> str:
    """The reminder: the period, every kind still missing (a returned one said so), the deadline, and one line
    of the speeches."""
    where = f"（{escape(view.branch_name)}）" if view.branch_name else ""
    lines = [reminder_title(view) + where, _reminder_lead(view)]
    for code, name in zip(view.kinds, view.kind_names, strict=True):
        returned = "（已退回，请修改后重新提交）" if view.returned_record(code) is not None else ""
        lines.append(f"• {escape(name)}{returned}")
    quote = quote_line(kb, view.cites[0]) if view.cites else None
    if quote:
        lines += ["", quote]
    act = "登记或修改退回的记录" if view.returned else "直接登记"
    lines += ["", f"点下方按钮{act}；发送 /reminders 可改提醒时间或免提醒。"]
    return "\n".join(lines)


def reminder_markup(view: DeliveryView) -> InlineKeyboardMarkup:
    """A button per kind: 📝 登记 opens the form with the kind chosen; for a returned kind, ✏️ 修改 opens the
    returned record as /records does (its amend buttons), so the secretary corrects it instead of a duplicate."""
    rows = []
    for code, name in zip(view.kinds, view.kind_names, strict=True):
        record_id = view.returned_record(code)
        if record_id is None:
            rows.append([button(f"📝 登记{name}", ReminderButton("new", code, period=view.period))])
        else:
            rows.append([record_button(f"✏️ 修改退回的{name}", record_id)])
    rows.append([button("⚙️ 提醒设置", ReminderButton("settings"))])
    return InlineKeyboardMarkup(rows)


# -- /reminders -------------------------------------------------------------------------------------------------


def _kind_line(kind: Any) -> str:
    line = f"{STATE_MARKS[kind.state]} {escape(kind.name)}"
    if kind.state is KindState.MUTED:
        until = "仅本期" if kind.mute_period else "直到取消"
        returned = "；记录已退回，待修改" if kind.returned_id is not None else ""
        line += f"（免提醒：{escape(kind.mute_reason or '')}；{until}{returned}）"
    elif kind.state is KindState.RETURNED:
        line += "（已退回，待修改）"
    elif kind.state is KindState.WAITING:
        line += "（已提交，待审核）"
    elif kind.state is KindState.EXEMPT:
        line += "（无需开展）"
    return line


def _cadence_lines(cadence: CadenceStatus, tz: ZoneInfo, today: date) -> list[str]:
    lines = [f"<b>{escape(cadence.period_label)}</b>（截止 {day_label(cadence.deadline)}）"]
    lines += [_kind_line(k) for k in cadence.kinds]
    if cadence.next_reminder is not None and cadence.next_stage is not None:
        about = escape(cadence.next_period_label or "")
        lines.append(
            f"下次提醒：{moment_label(cadence.next_reminder, tz, today)}，{about}{STAGE_NAMES[cadence.next_stage]}"
        )
    elif all(k.state in (KindState.DONE, KindState.EXEMPT) for k in cadence.kinds):
        lines.append("本期已全部完成 👍")
    elif all(k.state in (KindState.DONE, KindState.WAITING, KindState.EXEMPT) for k in cadence.kinds):
        lines.append("本期已全部提交，待审核 ⏳")
    return lines


def status_html(status: ReminderStatus, tz: ZoneInfo, today: date) -> str:
    """/reminders; ``today`` (the clock's) puts the year on a next reminder that falls in another year."""
    default = "（默认）" if status.hour_is_default else ""
    lines = [
        f"⏰ <b>待办与提醒 · {escape(status.branch_name)}</b>",
        f"提醒时间：每次提醒在 {status.hour:02d}:00 发送{default}",
    ]
    if status.no_own_activities:  # with the lines below, not instead (helper-89: a warning went missing)
        lines.append(f"ℹ️ {escape(status.no_own_activities)}")
    if not status.reachable:
        lines.append("⚠️ 之前的提醒没能送达，提醒已暂停；发送 /start 即可恢复。")
    elif status.next_reminder is not None:
        lines.append(f"下次提醒：{moment_label(status.next_reminder, tz, today)}")
    for cadence in status.cadences:
        lines += ["", *_cadence_lines(cadence, tz, today)]
    lines += ["", "只在工作日提醒：遇节假日，首次和中期提醒顺延，最后提醒提前；21:00 至次日 08:00 不发送。"]
    return "\n".join(lines)


def status_markup(status: ReminderStatus) -> InlineKeyboardMarkup:
    rows = [[button("🕘 修改提醒时间", ReminderButton("hours"))]]
    for cadence in status.cadences:
        for kind in cadence.kinds:
            if kind.state is KindState.MISSING:
                rows.append(
                    [
                        button(f"📝 {kind.name}", ReminderButton("new", kind.code)),
                        button("🔕 免提醒", ReminderButton("mute", kind.code)),
                    ]
                )
            elif kind.state is KindState.RETURNED:
                rows.append(
                    [
                        record_button(f"✏️ 修改{kind.name}", kind.returned_id),
                        button("🔕 免提醒", ReminderButton("mute", kind.code)),
                    ]
                )
            elif kind.state is KindState.MUTED:
                rows.append([button(f"🔔 恢复提醒 {kind.name}", ReminderButton("unmute", kind.code))])
    return InlineKeyboardMarkup(rows)


def hours_markup(current: int) -> InlineKeyboardMarkup:
    hours = [
        button(f"{'✓ ' if h == current else ''}{h:02d}:00", ReminderButton("hour", hour=h))
        for h in range(MIN_HOUR, MAX_HOUR + 1)
    ]
    rows = [hours[i : i + 4] for i in range(0, len(hours), 4)]
    rows.append([button("« 返回", ReminderButton("menu"))])
    return InlineKeyboardMarkup(rows)


def scope_text(name: str, period_label: str) -> str:
    return f"🔕 <b>免提醒：{escape(name)}</b>\n只免这一期（{escape(period_label)}），还是直到您取消？"


def scope_markup(kind: str, period_label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(f"仅本期（{period_label}）", ReminderButton("mute", kind, scope=MuteScope.PERIOD))],
            [button("直到我取消", ReminderButton("mute", kind, scope=MuteScope.UNTIL_UNMUTED))],
            [button("« 返回", ReminderButton("menu"))],
        ]
    )


def muted_text(name: str, reason: str, period_label: str | None) -> str:
    until = f"仅{escape(period_label)}" if period_label else "直到您取消"
    return (
        f"🔕 已免提醒：{escape(name)}（{until}）。\n原因：{escape(reason)}\n"
        "上级党委和片区督导员看到的汇总中，这项仍显示为未完成（注明免提醒及原因）。发送 /reminders 可恢复提醒。"
    )
