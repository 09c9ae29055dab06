"""The parts of a split paste, as pure functions over the draft's data.

Telegram's apps send a paste over 4096 characters as consecutive messages. When one text is refused for its
length (and is long enough to be the first part of a split), the draft remembers the step and the message's date; a text at the same step dated within
``PASTE_WINDOW`` of it is the rest of the same paste and is refused too (and extends the window), so the tail
of a paste is never kept as the answer.
"""

from __future__ import annotations

from datetime import datetime

from handlers.services.form.model import PASTE_PART_MIN, PASTE_WINDOW, Input, Step

KEY = "overlong"  # {"step", "at" (ISO date of the last part), "limit"}


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


def forget(data: dict) -> dict:
    """``data`` without the mark (an input was accepted)."""
    data.pop(KEY, None)
    return data
