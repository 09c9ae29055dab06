"""The parts of a split paste, as pure functions over the draft's data.

Telegram's apps send a paste over 4096 characters as consecutive messages. When one text is refused for its
length (and is long enough to be the first part of a split), the draft remembers the step and the message's date; a text at the same step dated within
``PASTE_WINDOW`` of it is the rest of the same paste and is refused too (and extends the window), so the tail
of a paste is never kept as the answer.

An app may also cut a paste at a line break short of 4096 characters, so its first part can fit the minutes'
4000 and be kept: a text at the next step within the window is then its rest, and the minutes are undone.
"""

from __future__ import annotations

from datetime import datetime

from handlers.services.form.model import MAX_MINUTES_TEXT, PASTE_PART_MIN, PASTE_WINDOW, Input, Step

KEY = "overlong"  # {"step", "at" (ISO date of the last part), "limit"}
MINUTES_AT = "minutes_at"  # the date of long minutes text just kept: the first part of a paste cut early?


def mark(step: str, data: dict, inp: Input, limit: int, *, first: bool = True) -> dict | None:
    """The draft's data remembering a part refused at ``step`` (the latest part's date); None when the
    input cannot be a part of a paste (no date; a ``first`` part shorter than ``PASTE_PART_MIN``)."""
    if inp.text is None or inp.sent_at is None or (first and len(inp.text) < PASTE_PART_MIN):
        return None
    return {**data, KEY: {"step": step, "at": inp.sent_at.isoformat(), "limit": limit}}


def continued(step: str, data: dict, inp: Input) -> int | None:
    """The length limit of the paste that ``inp`` continues, or None when it is an input of its own."""
    marked = data.get(KEY)
    if inp.text is None or inp.sent_at is None or not isinstance(marked, dict) or marked.get("step") != step:
        return None
    try:
        before = datetime.fromisoformat(marked["at"])
        limit = int(marked["limit"])
        close = abs(inp.sent_at - before) <= PASTE_WINDOW
    except (KeyError, TypeError, ValueError):
        return None
    return limit if close else None


def refusal(step: str, limit: int) -> str:
    """What a continuation part is told: the whole paste was not kept."""
    if step == Step.MINUTES:
        return f"整段文字超过{limit}字，未保存，请精简或改为发送文件。"
    return f"整段文字超过{limit}字，未保存，请精简到{limit}字以内后重新发送。"


def _close(at: object, inp: Input) -> bool:
    try:
        return abs(inp.sent_at - datetime.fromisoformat(at)) <= PASTE_WINDOW
    except (TypeError, ValueError):
        return False


def note_minutes(data: dict, inp: Input) -> None:
    """Minutes text was kept: remember its date when it may be the first part of a paste."""
    data.pop(MINUTES_AT, None)
    if inp.text is not None and inp.sent_at is not None and len(inp.text) >= PASTE_PART_MIN:
        data[MINUTES_AT] = inp.sent_at.isoformat()


def minutes_tail(step: str, data: dict, inp: Input) -> dict | None:
    """When ``inp`` is the rest of a paste whose first part was kept as the minutes: the draft's data with
    those minutes undone and the paste marked at the minutes step; else None."""
    if (
        step == Step.MINUTES
        or inp.text is None
        or inp.sent_at is None
        or not _close(data.get(MINUTES_AT), inp)
    ):
        return None
    undone = {k: v for k, v in data.items() if k != MINUTES_AT} | {"minutes_text": None}
    return mark(Step.MINUTES, undone, inp, MAX_MINUTES_TEXT, first=False)


def forget(data: dict) -> dict:
    """``data`` without the mark (an input was accepted)."""
    data.pop(KEY, None)
    return data
