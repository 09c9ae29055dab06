"""Files at the minutes and photos steps, as pure functions over the draft's data.

A document at the minutes step moves the form on (one file is the usual minutes); while the form waits at the
step it moved to (``MINUTES_MORE``) and nothing else was entered, a further document joins the minutes: the
rest of an album, or a sign-in sheet sent right after the minutes.
"""

from __future__ import annotations

import hashlib
from datetime import date

from handlers.services.form import prompts
from handlers.services.form.files import CheckedFile
from handlers.services.form.model import (
    MAX_MINUTES_DOCS,
    MAX_MINUTES_PAGES,
    MINUTES_MORE,
    Reply,
    Step,
)
from handlers.services.form.steps import next_step
from knowledge.activities import ActivityKind, activity_by_code
from storage.files import StoredFile

SILENT = Reply("")  # received: nothing to say yet (an album's next item, a file already in the draft)


def _pages(data: dict) -> list[dict]:
    return [f for f in data.get("minutes_files", []) if not f.get("doc")]


def _docs(data: dict) -> list[dict]:
    return [f for f in data.get("minutes_files", []) if f.get("doc")]


def _more(step: str, data: dict) -> bool:
    """The form waits where a minutes document moved it: another document joins the minutes."""
    return step in (Step.PHOTOS, Step.SUMMARY) and data.get(MINUTES_MORE) == step


def _not_here(step: str, ak: ActivityKind | None, data: dict, today: date) -> Reply:
    prompt = prompts.prompt(step, ak, data, today)
    return Reply(f"这一步不需要发送文件。\n\n{prompt.text}", prompt.buttons, skip_hint=prompt.skip_hint)


def accept_file(
    step: str, data: dict, unique_id: str, checked: CheckedFile | None = None, *, today: date
) -> Reply | None:
    """None when the file may be stored at this step; else the reply that refuses it (or ``SILENT``).

    Called before the download (``checked`` None: what can be judged without the bytes) and again once the
    file is checked, before it is written: a file that will not be kept is never stored.
    """
    ak = activity_by_code(data.get("kind", ""))
    more = _more(step, data)
    if ak is None or (step not in (Step.MINUTES, Step.PHOTOS) and not more):
        return _not_here(step, ak, data, today)
    known = [*data.get("photos", []), *data.get("minutes_files", [])]
    if any(f["unique_id"] == unique_id for f in known):
        return SILENT  # an album re-sent, a repeated update, a page sent again as a photo
    done = [prompts.done_row(step if step == Step.PHOTOS else Step.MINUTES)]
    if step == Step.PHOTOS and len(data.get("photos", [])) >= ak.max_photos:
        return Reply(f"照片最多{ak.max_photos}张，多出的没有保存。请点击“完成”。", done)
    if checked is None:
        return None
    if not checked.is_image:
        return _document_refusal(step, ak, data, today, more)
    if step == Step.SUMMARY:
        return _not_here(step, ak, data, today)
    if _same_bytes(known, checked):
        return _already(step, data, ak)
    if step == Step.MINUTES and len(_pages(data)) >= MAX_MINUTES_PAGES:
        return Reply(f"会议记录照片最多{MAX_MINUTES_PAGES}页，多出的没有保存。请点击“完成”。", done)
    return None


def _document_refusal(step: str, ak: ActivityKind, data: dict, today: date, more: bool) -> Reply | None:
    """Why a document (not a picture) is not kept here, or None when it joins the minutes."""
    if step == Step.PHOTOS and not more:
        return Reply(
            "这一步请发送活动照片（图片），这份文件没有保存。会议记录文件可在填完后，在核对页点“改会议记录”添加。"
        )
    if len(_docs(data)) < MAX_MINUTES_DOCS:
        return None
    text = f"会议记录文件最多{MAX_MINUTES_DOCS}份，这份没有保存，已保存的{MAX_MINUTES_DOCS}份不变。"
    if step == Step.MINUTES:
        return Reply(f"{text}请点击“完成”。", [prompts.done_row(Step.MINUTES)])
    return _then(text, step, ak, data, today)


def _then(text: str, step: str, ak: ActivityKind, data: dict, today: date) -> Reply:
    """``text``, then what the step asks: the photos (in short), or the summary again."""
    prompt = prompts.prompt(step, ak, data, today)
    if step == Step.PHOTOS:
        return Reply(f"{text}现在请发送活动照片。", prompt.buttons)
    return Reply(f"{text}\n\n{prompt.text}", prompt.buttons, skip_hint=prompt.skip_hint)


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
) -> Reply | tuple[dict, str, Reply]:
    """The draft's data with the stored file added, the step the draft is then at, and what to say (``SILENT``
    for an item of an album: ``progress`` says it once the album stops arriving).

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
    album = checked.incoming.media_group_id is not None
    if not checked.is_image:
        return _add_document(step, ak, data, entry | {"doc": True}, album, today)
    if step == Step.MINUTES:
        data["minutes_files"] = [*_pages(data), entry]
        data["minutes_text"] = None
        return data, step, SILENT if album else prompts.page_count(len(_pages(data)))
    data.pop(MINUTES_MORE, None)  # a photo: the photos have begun, a document is refused again
    data["photos"] = [*data.get("photos", []), entry]
    return data, step, SILENT if album else prompts.photo_count(len(data["photos"]), ak)


def _add_document(
    step: str, ak: ActivityKind, data: dict, entry: dict, album: bool, today: date
) -> tuple[dict, str, Reply]:
    """A document of the minutes: the first moves the form on; one sent while it waits there joins it."""
    data["minutes_text"] = None
    data["minutes_files"] = [*data.get("minutes_files", []), entry]
    target = next_step(ak, step, data) if step == Step.MINUTES else step
    data[MINUTES_MORE] = target
    if album:
        return data, target, SILENT
    if step != Step.MINUTES:
        count = len(data["minutes_files"])
        return data, target, _then(f"已作为会议记录的附件保存（共{count}份）。", target, ak, data, today)
    following = prompts.prompt(target, ak, data, today)
    text = f"已收到会议记录文件。\n\n{following.text}"
    return data, target, Reply(text, following.buttons, skip_hint=following.skip_hint)


def progress(step: str, data: dict, today: date) -> Reply | None:
    """After an album: how many photos, pages or minutes files are in (None when the form is at no file step).
    An album of minutes documents moved the form on: the count, then the step's prompt, said once."""
    ak = activity_by_code(data.get("kind", ""))
    if ak is None:
        return None
    if _more(step, data):
        prompt = prompts.prompt(step, ak, data, today)
        text = f"已收到会议记录文件 {len(data.get('minutes_files', []))} 份。\n\n{prompt.text}"
        return Reply(text, prompt.buttons, skip_hint=prompt.skip_hint)
    if step == Step.PHOTOS:
        return prompts.photo_count(len(data.get("photos", [])), ak)
    if step == Step.MINUTES and data.get("minutes_files"):
        return prompts.page_count(len(data["minutes_files"]))
    return None
