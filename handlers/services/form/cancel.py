"""/cancel and 取消填写 as pure functions: what the user would lose, and the question asked before losing it.

A draft that holds anything the user entered beyond the choice of activity kind is deleted only once confirmed
(确认取消, or /cancel again while asked); 继续填写 shows the current step again. ``ASKED`` marks the draft while the
question is open; any input the form takes afterwards ends it (the service drops the mark when it saves). A
/cancel typed within ``DOUBLE_TAP`` of the question is the same command sent twice, not a confirmation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.services.form.model import Act, Action, Reply
from knowledge.activities import ActivityKind

ASKED = "cancel_asked"
DOUBLE_TAP = timedelta(seconds=2)
CONFIRM_ROW = [("确认取消", Action(Act.DISCARD)), ("继续填写", Action(Act.RESUME))]

_ENTERED = (("held_on", "日期"), ("topic", "主题"), ("place", "地点"))


def entered(ak: ActivityKind | None, data: dict) -> list[str]:
    """What the user entered, briefly named in the form's order (照片3张); empty when only the kind is chosen."""
    if ak is None:
        return []
    lost = [label for key, label in _ENTERED if data.get(key)]
    if data.get("expected") is not None:
        lost.append("出勤")
    if data.get("absentees"):
        lost.append("缺席人员")
    details = data.get("details") or {}
    lost += [spec.label for spec in ak.fields if details.get(spec.key) not in (None, "", [])]
    if data.get("minutes_text") or data.get("minutes_files"):
        lost.append("会议记录")
    if photos := data.get("photos"):
        lost.append(f"照片{len(photos)}张")
    return lost


def question(lost: list[str]) -> Reply:
    return Reply(f"确定要取消吗？已填写的内容（{'、'.join(lost)}）将被删除。", [CONFIRM_ROW])


def without_mark(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != ASKED} if ASKED in data else data


def double_tap(asked_at: datetime, now: datetime) -> bool:
    """A /cancel this soon after the question was asked was sent before the user could read it."""
    return now - asked_at < DOUBLE_TAP
