"""The review loop's messages in chat (HTML, every value escaped): to reviewers and to the secretary."""

from __future__ import annotations

from datetime import tzinfo
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.services.history import HistoryEntry
from handlers.services.records import AMENDABLE
from handlers.services.review import Notify, RecordBrief, ReviewResult
from handlers.tg.callbacks import encode_record, encode_review

HEADS = {
    "new_record": "📋 <b>新的活动记录待审核</b>",
    "resubmitted": "🔁 <b>退回的记录已修改，请再次审核</b>",
    "passed_amended": "🔁 <b>已通过的记录已修改，请再次审核</b>",
    "returned": "↩️ <b>您提交的活动记录被退回，请修改</b>",
    "passed": "✅ <b>您提交的活动记录已审核通过</b>",
}
MISSING = "找不到这条记录，或您无权审核。"
RESULT_ALERTS = {
    "missing": MISSING,
    "forbidden": "您不能审核这条记录（是您本人提交的，或不在您负责的支部）。",
    "withdrawn": "这条记录已撤回，无需审核。",
    "stale": "这条记录已被退回，需支部书记修改后才能通过。",
    "comment_required": "退回意见需2至500字，请重新发送（/cancel 取消）：",
}
COMMENT_TOO_LONG = "退回意见太长（{}字），请精简到500字以内后重新发送（/cancel 取消）："
# A review button whose record no longer waits for review: its buttons are taken off the message it was on.
SPENT = frozenset({"withdrawn", "unchanged", "stale", "passed"})
STATE_WORDS = {"passed": "已通过", "returned": "已退回", "pending_review": "待审核"}


def brief_lines(record: RecordBrief) -> list[str]:
    return [
        f"{escape(record.branch_name)} · {escape(record.kind_name)} · {record.held_on:%Y-%m-%d}",
        f"主题：{escape(record.topic)}",
        f"记录编号：{record.number}",
    ]


def notice_text(notify: Notify) -> str:
    lines = [HEADS.get(notify.event, HEADS["new_record"]), *brief_lines(notify.record)]
    if notify.comment:
        lines.append(f"退回意见：{escape(notify.comment)}")
    if notify.event == "returned":
        lines.append(
            "请点下面的按钮修改，修改后会自动重新提交审核。日期可在同一个月内修改；活动类型或月份有误的，可在“查看记录”中撤回后重新填写。"
        )
    return "\n".join(lines)


def review_keyboard(record_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ 通过", callback_data=encode_review("pass", record_id)),
                InlineKeyboardButton("↩️ 退回", callback_data=encode_review("ret", record_id)),
            ],
            [InlineKeyboardButton("查看详情", callback_data=encode_review("open", record_id))],
        ]
    )


def reopen_keyboard(record_id: int) -> InlineKeyboardMarkup:
    """An administrator's button under a passed record: return it for correction (``review_reopen``)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("↩️ 退回更正", callback_data=encode_review("reopen", record_id))]]
    )


def amend_rows(record_id: int) -> list[list[InlineKeyboardButton]]:
    """What a secretary may amend: the date (within its month), the texts, the attendance, the photos (add some, or
    send them all again)."""
    texts = {"held_on": "日期", **AMENDABLE}
    return [
        [
            InlineKeyboardButton(f"修改{label}", callback_data=encode_record("amend", record_id, field))
            for field, label in texts.items()
        ],
        [
            InlineKeyboardButton("修改出勤", callback_data=encode_record("amend", record_id, "attendance")),
            InlineKeyboardButton("补充照片", callback_data=encode_record("photos", record_id, "add")),
            InlineKeyboardButton("重新上传照片", callback_data=encode_record("photos", record_id, "replace")),
        ],
    ]


def amend_keyboard(record_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            *amend_rows(record_id),
            [InlineKeyboardButton("查看记录", callback_data=encode_record("open", record_id))],
        ]
    )


def notice_keyboard(notify: Notify) -> InlineKeyboardMarkup | None:
    if notify.event in ("new_record", "resubmitted", "passed_amended"):
        return review_keyboard(notify.record.record_id)
    if notify.event == "returned":
        return amend_keyboard(notify.record.record_id)
    return None


def when(entry: HistoryEntry | None, tz: tzinfo) -> str:
    return f"（{entry.at.astimezone(tz):%m-%d %H:%M}）" if entry is not None else ""


def result_alert(result: ReviewResult, tz: tzinfo) -> str:
    """What a reviewer is told when the review did not happen."""
    if result.status == "unchanged" and result.record is not None:
        state = STATE_WORDS.get(result.record.review_state, result.record.review_state)
        return f"这条记录{state}{when(result.last, tz)}，无需重复操作。"
    if result.status == "passed":  # 退回 on a passed record (a stale button): never overturns the pass
        return f"这条记录已通过{when(result.last, tz)}，无需再审核。"
    return RESULT_ALERTS.get(result.status, MISSING)


def done_text(result: ReviewResult) -> str:
    """The reviewer's confirmation after 通过 / 退回."""
    assert result.record is not None
    state = result.record.review_state
    head = "✅ 已通过" if state == "passed" else "↩️ 已退回"
    told = "，已通知支部书记" if result.notify else ""
    return f"{head}：{escape(result.record.branch_name)} {escape(result.record.kind_name)}（{result.record.number}）{told}。"
