"""Files at the minutes and photos steps, as pure functions over the draft's data."""

from __future__ import annotations

import hashlib
from datetime import date

from handlers.services.form import prompts
from handlers.services.form.files import CheckedFile
from handlers.services.form.model import MAX_MINUTES_PAGES, Act, Action, Reply, Step
from knowledge.activities import ActivityKind, activity_by_code
from storage.files import StoredFile

SILENT = Reply("")  # received: nothing to say yet (an album's next item, a file already in the draft)


def _pages(data: dict) -> list[dict]:
    return [f for f in data.get("minutes_files", []) if not f.get("doc")]


def accept_file(
    step: str, data: dict, unique_id: str, checked: CheckedFile | None = None, *, today: date
) -> Reply | None:
    """None when the file may be stored at this step; else the reply that refuses it (or ``SILENT``).

    Called before the download (``checked`` None: what can be judged without the bytes) and again once the
    file is checked, before it is written: a file that will not be kept is never stored.
    """
    ak = activity_by_code(data.get("kind", ""))
    if step not in (Step.MINUTES, Step.PHOTOS) or ak is None:
        prompt = prompts.prompt(step, ak, data, today)
        return Reply(f"这一步不需要发送文件。\n\n{prompt.text}", prompt.buttons, skip_hint=prompt.skip_hint)
    known = [*data.get("photos", []), *data.get("minutes_files", [])]
    if any(f["unique_id"] == unique_id for f in known):
        return SILENT  # an album re-sent, a repeated update, a page sent again as a photo
    done = [[("完成", Action(Act.DONE))]]
    if step == Step.PHOTOS and len(data.get("photos", [])) >= ak.max_photos:
        return Reply(f"照片最多{ak.max_photos}张，多出的没有保存。请点击“完成”。", done)
    if checked is None:
        return None
    if step == Step.PHOTOS and not checked.is_image:
        return Reply("这一步请发送活动照片（图片）。会议记录文件请在“会议记录”一步发送。")
    if checked.is_image and _same_bytes(known, checked):
        return _already(step, data, ak)
    if step == Step.MINUTES and checked.is_image and len(_pages(data)) >= MAX_MINUTES_PAGES:
        return Reply(f"会议记录照片最多{MAX_MINUTES_PAGES}页，多出的没有保存。请点击“完成”。", done)
    return None


def _same_bytes(known: list[dict], checked: CheckedFile) -> bool:
    """A picture already in the draft under another Telegram id (picked again from the gallery)."""
    digest = hashlib.sha256(checked.incoming.data).hexdigest()
    return any(f.get("sha256") == digest for f in known)


def _already(step: str, data: dict, ak: ActivityKind) -> Reply:
    if step == Step.PHOTOS:
        count = prompts.photo_count(len(data.get("photos", [])), ak)
    else:
        count = prompts.page_count(len(_pages(data)))
    return Reply(f"这张照片已经收到过了，没有重复计算。{count.text}", count.buttons)


def add_file(
    step: str, ak: ActivityKind | None, data: dict, checked: CheckedFile, stored: StoredFile, today: date
) -> Reply | tuple[dict, bool, Reply]:
    """The draft's data with the stored file added, whether the step is done, and what to say.

    Returns a refusal instead when the draft moved on meanwhile.
    """
    refusal = accept_file(step, data, checked.incoming.unique_id, checked, today=today)
    if refusal is not None:
        return refusal
    data = dict(data)
    entry = {
        "sha256": stored.sha256,
        "size": stored.size,
        "mime": stored.mime,
        "file_id": checked.incoming.file_id,
        "unique_id": checked.incoming.unique_id,
    }
    if step == Step.MINUTES and not checked.is_image:
        data["minutes_text"] = None
        data["minutes_files"] = [entry | {"doc": True}]
        return data, True, Reply("已收到会议记录文件。\n\n")
    if step == Step.MINUTES:
        data["minutes_files"] = [*_pages(data), entry]
        data["minutes_text"] = None
        return data, False, prompts.page_count(len(data["minutes_files"]))
    data["photos"] = [*data.get("photos", []), entry]
    return data, False, prompts.photo_count(len(data["photos"]), ak)
