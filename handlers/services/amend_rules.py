"""Which records may be amended, what an amendment answers, and the file entries it takes: pure rules and values
of ``records``.

A passed record of a period that has ended is not amended. An amendment puts a record back to review and the
record is amended in place, so the period it counted for would read 待审核 again, 已退回 (and overdue) once a
reviewer returned the change, and lose the record if it were then withdrawn, while a closed period can no
longer be recorded anew (the form takes the running and the previous period only) and its figures are meant to
stay as they were (``status``: a closed view never changes). A passed record of the running period, and a record
waiting for review or returned in any period, are amended as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from handlers.services.form.model import MAX_MINUTES_TEXT, MAX_TEXT
from knowledge.activities import activity_by_code, period_of
from storage.files import is_sha256
from storage.models import ActivityRecord

MIN_REASON, MAX_REASON = 2, 200
AMENDABLE = {"topic": "主题", "place": "地点", "minutes_text": "会议记录"}  # the texts a secretary may amend
MAX_LENGTH = {"topic": MAX_TEXT, "place": MAX_TEXT, "minutes_text": MAX_MINUTES_TEXT}


@dataclass(frozen=True, slots=True)
class Amended:
    """What :meth:`RecordService.amend_record` did.

    ``status``: ok | missing | withdrawn | unchanged | invalid | closed (``problem`` says why). ``resubmitted``:
    the amendment put a returned (or passed) record back to pending_review; then ``reviewers`` (administrators
    and the branch's supervisors) should be told that it waits for review again; ``was`` is the review state it
    left (returned | passed).
    """

    status: str
    resubmitted: bool = False
    reviewers: list[int] = field(default_factory=list)
    problem: str | None = None  # invalid, closed: what is wrong, in Chinese, when the caller can say it
    was: str | None = None


@dataclass(frozen=True, slots=True)
class PhotoTaken:
    """A photo (or a file of the minutes) sent to amend a record: ``entry`` (kept in the adapter's state until
    完成) or ``problem``."""

    entry: dict | None = None
    problem: str | None = None


def closed_note(record: ActivityRecord, today: date) -> str | None:
    """Why ``record`` may not be amended (Chinese, for the secretary), or None when it may."""
    ak = activity_by_code(record.kind)
    if record.status != "active" or record.review_state != "passed" or ak is None:
        return None
    period = period_of(ak.cadence, record.held_on)
    if period.end >= today:
        return None
    return (
        f"这条记录已审核通过，{period.label}已经结束，不能再修改："
        f"修改后要重新审核，已完成的{period.label}{ak.name}会因此变回未完成。"
        "如确需更正，请联系上级党委管理员，由管理员退回这条记录后再修改。"
    )


def photo_spec(entry: object) -> dict | None:
    """A record file (without role and position) from a photo entry kept by the adapter; None if malformed."""
    if not isinstance(entry, dict):
        return None
    try:
        spec = {
            "sha256": entry["sha256"],
            "size": int(entry["size"]),
            "mime": str(entry["mime"]),
            "telegram_file_id": str(entry["file_id"]),
            "telegram_file_unique_id": str(entry["unique_id"]),
        }
    except (KeyError, TypeError, ValueError):
        return None
    return spec if is_sha256(spec["sha256"]) else None


def date_problem(record: ActivityRecord, held_on: date, today: date) -> str | None:
    """Why a record may not be moved to ``held_on`` (a Chinese message), or None: not a day ahead, and within the
    record's month, so the month and period it counts for, and every view already shown, stay as they are."""
    if held_on > today:
        return "活动日期不能晚于今天。"
    if (held_on.year, held_on.month) != (record.held_on.year, record.held_on.month):
        return (
            f"日期只能在原来的月份（{record.held_on.year}年{record.held_on.month}月）之内修改。如果月份填错了："
            "提交后24小时内可以撤回这条记录再重新登记；超过24小时请联系上级党委管理员。"
        )
    return None


def amend_value_problem(field: str, value: str) -> str | None:
    """Why ``value`` cannot replace ``field`` (a Chinese message), or None when it can."""
    value = value.strip()
    if field not in AMENDABLE:
        return "这一项不能修改。"
    if not value:
        return "内容不能为空，请重新发送。"
    if len(value) > MAX_LENGTH[field]:
        return f"{AMENDABLE[field]}不能超过{MAX_LENGTH[field]}字，请重新发送。"
    return None
