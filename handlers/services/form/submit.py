"""Storing a confirmed form: the record and its file rows, in the caller's transaction, the draft deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.form import prompts
from handlers.services.form.display import record_number
from handlers.services.form.model import Reply
from knowledge.activities import LATE_WINDOW, activity_by_code, earliest_allowed, period_of
from storage.files import FileStore
from storage.repositories import DraftRepository, RecordRepository


async def submit(
    session: AsyncSession,
    files: FileStore,
    user_id: int,
    branch_id: int,
    data: dict,
    stored: list[int],
    at: datetime,
) -> Reply:
    """The receipt, once every file is in the store and the record is added (its id appended to ``stored``:
    the hooks run once the caller's transaction has committed); else the summary's buttons again."""
    ak = activity_by_code(data["kind"])
    held = date.fromisoformat(data["held_on"])
    earliest = earliest_allowed(ak.cadence, at.date())
    if held < earliest:  # a summary left open past the window the date step allowed (a draft from last month)
        last, this = LATE_WINDOW[ak.cadence]
        return Reply(
            f"⚠️ 活动日期 {held:%Y-%m-%d} 已超出补录期限：{ak.name}只能补录{last}和{this}的活动"
            f"（{earliest:%Y-%m-%d} 以后）。请点击“改日期”修改，或取消填写。",
            prompts.summary(ak, data).buttons,
        )
    entries = [("minutes", f) for f in data.get("minutes_files", [])] + [
        ("photo", f) for f in data.get("photos", [])
    ]
    for _, f in entries:
        if not await files.exists(f["sha256"]):
            return Reply(
                "有文件没有保存成功，请点击“改照片”（清空已有照片后重新发送）或“改会议记录”重新发送。",
                prompts.summary(ak, data).buttons,
            )
    record = await RecordRepository(session).add(
        branch_id=branch_id,
        kind=ak.code,
        period=period_of(ak.cadence, held).code,
        held_on=held,
        topic=data["topic"],
        place=data.get("place"),
        expected=data.get("expected"),
        actual=data.get("actual"),
        absentees=data.get("absentees", []),
        details=data.get("details", {}),
        minutes_text=data.get("minutes_text"),
        submitted_by=user_id,
        at=at,
        files=_file_rows(entries),
    )
    await DraftRepository(session).delete(user_id)
    stored.append(record.id)
    return prompts.receipt(ak, record_number(record.id, held), held, data)


def _file_rows(entries: list[tuple[str, dict]]) -> list[dict]:
    return [
        {
            "role": role,
            "sha256": f["sha256"],
            "size": f["size"],
            "mime": f["mime"],
            "telegram_file_id": f["file_id"],
            "telegram_file_unique_id": f["unique_id"],
            "position": i,
        }
        for i, (role, f) in enumerate(entries)
    ]
