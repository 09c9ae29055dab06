"""A record as the secretary reads it in chat."""

from __future__ import annotations

from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.services.form.display import attendance_lines, detail_text
from handlers.services.history import REVIEW_LABELS, HistoryEntry
from handlers.services.records import AMENDABLE, CHANGE_LABELS, Amended, RecordView, kind_name
from handlers.tg.callbacks import encode_record
from handlers.tg.render_review import amend_rows
from knowledge.activities import activity_by_code, period_of

DETAIL_HEAD = "记录编号："  # how a record's own view begins (a message to bring up to date after a change)
MISSING = "找不到这条记录，或您无权查看。"
WITHDRAWN = "这条记录已撤回，不能修改。"
REASON = "请简要说明修改原因（如“主题写错了”）："
FORM_KEPT = "（您正在填写的活动记录会保留，改完后发送 /submit 继续）"
AMEND_FIELDS = {
    **AMENDABLE,
    "attendance": "出勤",
    "photos": "照片",
    "minutes_files": "会议记录",
}  # what a change in ``pending`` changes
LATE = "已超过24小时，不能撤回；可以用“修改”更正内容。"
PASSED = "这条记录已通过审核，不能撤回；如需更正，请用“修改”（修改后会重新提交审核）。"
ALREADY_WITHDRAWN = "这条记录已撤回。"
CLOSED = "（已通过审核，所属周期已结束，不能再修改；如确需更正，请联系上级党委管理员，由管理员退回后再修改）"
WITHDRAWN_DONE = "这条记录已撤回，不再计入本支部的活动。"


def withdraw_refusal(reason: str) -> str:
    """Why 撤回 is refused: ``passed`` (the record's review state, or RecordService.withdraw's answer) or late."""
    return PASSED if reason == "passed" else LATE


def detail_origin(query) -> int | None:
    """The record's own view a button was pressed on (brought up to date after a change), if it was one."""
    message = query.message
    return (
        message.message_id if message is not None and (message.text or "").startswith(DETAIL_HEAD) else None
    )


def amend_label(view: RecordView) -> str:
    """The record a change is made to, as the follow-up messages name it (kept in the pending state)."""
    return f"{view.number}（{view.record.held_on:%m-%d} {kind_name(view.record.kind)}）"


def _changing(state: dict) -> str:
    field = AMEND_FIELDS.get(str(state.get("field")), "内容")
    return f"记录 {state['label']}的{field}" if state.get("label") else f"这条记录的{field}"


def reason_prompt(state: dict) -> str:
    """Asked once a change's new value is taken: which record and field, so that a user who meant to answer
    their form (and typed its answer here) notices."""
    return f"正在修改{_changing(state)}。{REASON}"


def unsaved_note(state: dict | None) -> str | None:
    """A change left half-entered (its new value or photos taken, no reason yet) when the user went back to the
    form: one line saying it was not saved. Nothing when nothing was entered."""
    if not state or state.get("kind") not in ("amend", "amend_photos"):
        return None
    if state.get("value") is None and not state.get("photos") and not state.get("files"):
        return None
    return f"对{_changing(state)}的修改没有保存。"


def detail_markup(view: RecordView) -> InlineKeyboardMarkup | None:
    """The buttons under a record's view: 撤回 within 24 hours, the amendments while it is active (and not passed
    in a period that has ended: ``view.closed``)."""
    if view.record.status != "active":
        return None
    record_id = view.record.id
    withdraw = [[InlineKeyboardButton("撤回这条记录", callback_data=encode_record("withdraw", record_id))]]
    rows = [*(withdraw if view.can_withdraw else []), *([] if view.closed else amend_rows(record_id))]
    return InlineKeyboardMarkup(rows) if rows else None


def withdraw_question(view: RecordView) -> str:
    """Asked in place of the record's view before it is withdrawn (like the form's 确定要取消吗？)."""
    r = view.record
    return (
        f"确定撤回这条记录吗？撤回后不再计入本支部的活动。\n{DETAIL_HEAD}{view.number}\n"
        f"{kind_name(r.kind)} · {r.held_on:%Y-%m-%d}\n主题：{r.topic}"
    )


def withdraw_markup(record_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("确定撤回", callback_data=encode_record("wd_yes", record_id)),
                InlineKeyboardButton("不撤回", callback_data=encode_record("wd_no", record_id)),
            ]
        ]
    )


MAX_VIEW = 4000  # characters of a record's view: one Telegram message (4,096) with room to spare
MINUTES_SHOWN = 600  # characters of typed minutes a record's view shows


def describe(view: RecordView, tz: tzinfo) -> str:
    r = view.record
    ak = activity_by_code(r.kind)
    lines = [f"{DETAIL_HEAD}{view.number}" + ("（已撤回）" if r.status == "withdrawn" else "")]
    if view.branch_name:
        lines.append(f"支部：{view.branch_name}")
    lines.append(
        f"{kind_name(r.kind)} · {period_of(ak.cadence, r.held_on).label if ak else r.period} · {r.held_on:%Y-%m-%d}"
    )
    lines += [f"主题：{r.topic}", f"地点：{r.place or '未填写'}"]
    lines += attendance_lines(r.expected, r.actual, r.absentees)
    for spec in ak.fields if ak else ():
        if (value := detail_text((r.details or {}).get(spec.key))) is not None:
            lines.append(f"{spec.label}：{value}")
    photos = [f for f in view.files if f.role == "photo"]
    minutes = [f for f in view.files if f.role == "minutes"]
    if r.minutes_text:
        lines.append(f"会议记录：{_clipped(r.minutes_text)}")
    elif minutes:
        lines.append(f"会议记录：文件/照片 {len(minutes)} 份")
    lines.append(f"照片：{len(photos)} 张")
    if r.status == "active":
        lines.append(f"审核：{REVIEW_LABELS.get(view.review_state, view.review_state)}")
    if view.return_comment:
        lines.append(f"退回意见：{view.return_comment}（请修改后重新提交）")
    if view.closed:
        lines.append(CLOSED)
    entries = view.timeline or [
        HistoryEntry(h.amended_at, h.amended_by, "amended", h.reason, dict(h.changes or {}))
        for h in view.history
    ]
    history = [timeline_line(h, tz) for h in entries]
    return _fitted(lines, history)


def _clipped(minutes: str) -> str:
    """The minutes as a view shows them: long ones cut, so what follows (the review, the return comment) shows."""
    if len(minutes) <= MINUTES_SHOWN:
        return minutes
    return f"{minutes[:MINUTES_SHOWN]}…（以下略，共{len(minutes)}字）"


def _fitted(lines: list[str], history: list[str]) -> str:
    """The view within ``MAX_VIEW``: the oldest history lines go first (the latest, and the return comment
    above them, always show: helper-92's review saw a long record cut before 退回意见)."""
    head = "\n".join(lines)
    dropped = 0
    while history and len(head) + sum(len(h) + 1 for h in history) + 20 > MAX_VIEW:
        history, dropped = history[1:], dropped + 1
    more = [f"（更早的{dropped}条修改和审核经过从略）"] if dropped else []
    return "\n".join([head, *more, *history])[:MAX_VIEW]


def timeline_line(h: HistoryEntry, tz: tzinfo) -> str:
    """One step of the record's history (the amendments keep their old wording)."""
    at = f"{h.at.astimezone(tz):%Y-%m-%d %H:%M}"
    if h.action == "amended":
        fields = "、".join(dict.fromkeys(CHANGE_LABELS.get(k, k) for k in h.changes))
        return f"修改：{at} 改了{fields}，原因：{h.comment}"
    if h.action == "returned":
        return f"{h.label}：{at}，意见：{h.comment or ''}"
    return f"{h.label}：{at}"


def amended_reply(amended: Amended) -> str:
    """What a secretary is told once a change was applied, or why it was not."""
    if amended.status in ("invalid", "closed") and amended.problem:
        return f"没有修改：{amended.problem}"
    replies = {
        "ok": "已修改，修改记录已保存。发送 /records 可查看。",
        "missing": MISSING,
        "withdrawn": WITHDRAWN,
        "unchanged": "新内容和原来一样，没有修改。",
        "invalid": "修改内容无效（不能为空，主题和地点不超过200字，会议记录不超过4000字），请重新操作。",
    }
    if amended.resubmitted:
        return "已修改，并已重新提交审核，审核人会收到通知。发送 /records 可查看。"
    return replies[amended.status]
