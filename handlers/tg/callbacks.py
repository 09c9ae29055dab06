"""Button data: the one place where actions become ``callback_data`` strings and back.

Telegram gives 64 bytes of ``callback_data`` and returns whatever a client sends, so every decoder here
checks shape and bounds and returns None for anything else.
"""

from __future__ import annotations

import re

from handlers.services.form.model import Act, Action

MAX_ID = 2**31 - 1  # ids are int32 on PostgreSQL
_ID = re.compile(r"[0-9]{1,10}")
_ARG = re.compile(r"[a-z0-9_:]{0,40}")
FORM_PREFIX = "f:"
STALE = "这个按钮已失效。"


def parse_id(text: str) -> int | None:
    """A database id from button data or a command argument: ASCII digits, 1 to 2^31-1."""
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def parse_index(text: str, size: int) -> int | None:
    """An index into a list of ``size`` items (0-based)."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,4}", text):
        return None
    value = int(text)
    return value if value < size else None


def encode_form(action: Action) -> str:
    return f"{FORM_PREFIX}{action.act.value}" + (f":{action.arg}" if action.arg else "")


def decode_form(data: str) -> Action | None:
    if not data.startswith(FORM_PREFIX):
        return None
    act, _, arg = data[len(FORM_PREFIX) :].partition(":")
    try:
        parsed = Act(act)
    except ValueError:
        return None
    return Action(parsed, arg) if _ARG.fullmatch(arg) else None
