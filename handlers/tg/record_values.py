"""What a record's change asks for, and the new date it reads (修改日期): the prompts of ``handlers.tg.records``.

The date is read as the form reads it (``handlers.services.dates``: 11月20日, 20号, 上周五) and kept within the
record's month (``amend_rules.date_problem``), so what the month and the period count does not change.
"""

from __future__ import annotations

from datetime import date

from handlers.services.amend_rules import AMENDABLE, date_problem
from handlers.services.dates import DateInputError, parse_date
from handlers.services.records import RecordView

ATTENDANCE = "attendance"
HELD_ON = "held_on"
FIELDS = frozenset({*AMENDABLE, ATTENDANCE, HELD_ON})  # what 修改… buttons name (photos and files aside)


def value_prompt(field: str) -> str:
    if field == ATTENDANCE:
        return "请发送应到和实到人数，如“应到8人，实到7人”或“8 7”（发送 /cancel 取消）："
    if field == HELD_ON:
        return (
            "请发送新的活动日期，如 11月20日、20号、上周五（只能在原来的月份之内修改；发送 /cancel 取消）："
        )
    if field == "minutes_text":
        return "请发送新的会议记录：直接输入文字，或发送 PDF/Word 文件，或拍照发送（可多张，发完点“完成”）。（发送 /cancel 取消）"
    return f"请发送新的{AMENDABLE[field]}（发送 /cancel 取消）："


def awaited(state: dict) -> str:
    """What the change waits for, as "请发送…" goes on."""
    if state.get("value") is not None:
        return "修改原因"
    if state.get("field") == ATTENDANCE:
        return "应到和实到人数"
    if state.get("field") == HELD_ON:
        return "新的活动日期"
    return f"新的{AMENDABLE.get(str(state.get('field')), '内容')}"


def read_date(view: RecordView | None, text: str, today: date) -> tuple[str | None, str | None]:
    """(the new date, ISO; None) or (None; what is wrong, in Chinese)."""
    try:
        held = parse_date(text, today)
    except DateInputError as exc:
        return None, str(exc)
    if view is None:
        return None, "这条记录已不能修改（已撤回，或不属于您的支部）。"
    if held == view.record.held_on:
        return None, f"新日期和原来一样（{held:%Y-%m-%d}）。"
    problem = date_problem(view.record, held, today)
    return (None, problem) if problem else (held.isoformat(), None)
