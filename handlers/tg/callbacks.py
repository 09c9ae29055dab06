"""Button data: the one place where actions become ``callback_data`` strings and back.

Telegram gives 64 bytes of ``callback_data`` and returns whatever a client sends, so every decoder here
checks shape and bounds and returns None for anything else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from handlers.services.form.model import Act, Action
from handlers.services.reminders.model import MuteScope
from knowledge.activities import activity_by_code
from knowledge.schedule import MAX_HOUR, MIN_HOUR

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


def parse_typed_id(text: str) -> int | None:
    """An id typed as a command argument: full-width digits (a Chinese keyboard's ``１２``) read as ASCII."""
    if not isinstance(text, str):
        return None
    return parse_id(unicodedata.normalize("NFKC", text).strip())


def parse_index(text: str, size: int) -> int | None:
    """An index into a list of ``size`` items (0-based)."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,4}", text):
        return None
    value = int(text)
    return value if value < size else None


def encode_form(action: Action) -> str:
    if action.act is Act.RECORD:  # a stored record: served by handlers.tg.records, not by the form
        return encode_record("open", int(action.arg))
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


# -- reminders (/reminders and the reminder messages) -----------------------------------------------------------

REMINDER_PREFIX = "rm:"
# new:<kind> opens /submit with the kind chosen; menu: the /reminders view in place of the pressed message,
# settings: the same as a new message (from a reminder, which stays); hours: the hour picker; hour:<h>;
# mute:<kind> asks for the scope, mute:<kind>:p|u then for the reason; unmute:<kind>.
REMINDER_ACTS = frozenset({"new", "menu", "settings", "hours", "hour", "mute", "unmute"})
_SCOPE_CODES = {"p": MuteScope.PERIOD, "u": MuteScope.UNTIL_UNMUTED}


@dataclass(frozen=True, slots=True)
class ReminderButton:
    act: str
    kind: str | None = None  # a catalogue code (new, mute, unmute)
    hour: int | None = None  # hour
    scope: MuteScope | None = None  # mute, once the scope is chosen
    period: str | None = None  # new: the period the reminder was about (2026-06), to say when it has closed


def encode_reminder(button: ReminderButton) -> str:
    parts = [button.act]
    if button.kind is not None:
        parts.append(button.kind)
    if button.hour is not None:
        parts.append(str(button.hour))
    if button.scope is not None:
        parts.append(next(code for code, scope in _SCOPE_CODES.items() if scope is button.scope))
    if button.period is not None:
        parts.append(button.period)
    return REMINDER_PREFIX + ":".join(parts)


def decode_reminder(data: str) -> ReminderButton | None:
    """The reminder button ``data`` stands for, or None for anything malformed or out of bounds."""
    if not isinstance(data, str) or not data.startswith(REMINDER_PREFIX) or len(data) > 64:
        return None
    act, *args = data[len(REMINDER_PREFIX) :].split(":")
    if act in ("menu", "settings", "hours"):
        return ReminderButton(act) if not args else None
    if act == "hour":
        if len(args) != 1 or not re.fullmatch(r"[0-9]{1,2}", args[0]):
            return None
        hour = int(args[0])
        return ReminderButton(act, hour=hour) if MIN_HOUR <= hour <= MAX_HOUR else None
    if act not in REMINDER_ACTS or not args or activity_by_code(args[0]) is None:
        return None
    if act == "mute" and len(args) == 2 and args[1] in _SCOPE_CODES:
        return ReminderButton(act, args[0], scope=_SCOPE_CODES[args[1]])
    if act == "new" and len(args) == 2 and _PERIOD_CODE.fullmatch(args[1]):  # older buttons carry no period
        return ReminderButton(act, args[0], period=args[1])
    return ReminderButton(act, args[0]) if len(args) == 1 else None


# -- supervision: review (通过 / 退回 / 查看), the record's own buttons, /status periods --------------------------

REVIEW_PREFIX = "rv:"
REVIEW_ACTS = frozenset({"pass", "ret", "open", "reopen"})  # reopen: 退回更正 of a passed record (admins)
RECORD_PREFIX = "r:"
STATUS_PREFIX = "st:"
_PERIOD_CODE = re.compile(r"[0-9]{4}(-[0-9]{2}|-Q[1-4])?")


def encode_review(act: str, record_id: int) -> str:
    return f"{REVIEW_PREFIX}{act}:{record_id}"


def decode_review(data: str) -> tuple[str, int] | None:
    """``(act, record_id)`` of a review button, or None."""
    if not isinstance(data, str) or not data.startswith(REVIEW_PREFIX) or len(data) > 64:
        return None
    act, _, rest = data[len(REVIEW_PREFIX) :].partition(":")
    record_id = parse_id(rest)
    return (act, record_id) if act in REVIEW_ACTS and record_id is not None else None


def encode_record(act: str, record_id: int, field: str | None = None) -> str:
    """The /records buttons (open, withdraw, amend:<field>), also sent with a returned record; ``open`` is also
    the button of a reminder (and of /reminders) for a kind whose record was returned."""
    return f"{RECORD_PREFIX}{act}:{record_id}" + (f":{field}" if field else "")


def encode_status(period_code: str) -> str:
    return f"{STATUS_PREFIX}{period_code}"


def decode_status(data: str) -> str | None:
    """The period code of a /status switch button (checked by shape; the service parses it), or None."""
    if not isinstance(data, str) or not data.startswith(STATUS_PREFIX):
        return None
    code = data[len(STATUS_PREFIX) :]
    return code if _PERIOD_CODE.fullmatch(code) else None


# -- invitations: a secretary of another branch confirms the move (or keeps things as they are) -----------------

INVITE_PREFIX = "inv:"
_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def encode_invite(left_id: int | None, code: str | None) -> str:
    """``inv:go:<branch they leave>:<code>`` (confirm a move), ``inv:go:0:<code>`` (confirm, leaving none: an
    administrator), or ``inv:keep`` with no arguments."""
    return f"{INVITE_PREFIX}keep" if code is None else f"{INVITE_PREFIX}go:{left_id or 0}:{code}"


def decode_invite(data: str) -> tuple[int, str] | str | None:
    """``(left branch id, code)`` for a confirmation, ``"keep"``, or None for anything else."""
    if not isinstance(data, str) or not data.startswith(INVITE_PREFIX) or len(data) > 64:
        return None
    act, *args = data[len(INVITE_PREFIX) :].split(":")
    if act == "keep" and not args:
        return "keep"
    if act != "go" or len(args) != 2 or not _CODE.fullmatch(args[1]):
        return None
    left_id = 0 if args[0] == "0" else parse_id(args[0])
    return (left_id, args[1]) if left_id is not None else None


# -- branch administration: confirm closing a branch or unbinding its secretary --------------------------------

BRANCH_ADMIN_PREFIX = "ba:"
MAX_USER_ID = 2**53 - 1  # Telegram user ids fit in 52 bits


@dataclass(frozen=True, slots=True)
class BranchAdminButton:
    act: str  # close | unbind | no
    branch_id: int | None = None
    user_id: int | None = None  # unbind: the secretary the administrator confirmed


def encode_branch_admin(button: BranchAdminButton) -> str:
    """``ba:close:<branch>``, ``ba:unbind:<branch>:<secretary>`` or ``ba:no``."""
    parts = [button.act, *(str(v) for v in (button.branch_id, button.user_id) if v is not None)]
    return BRANCH_ADMIN_PREFIX + ":".join(parts)


def decode_branch_admin(data: str) -> BranchAdminButton | None:
    if not isinstance(data, str) or not data.startswith(BRANCH_ADMIN_PREFIX) or len(data) > 64:
        return None
    act, *args = data[len(BRANCH_ADMIN_PREFIX) :].split(":")
    if act == "no" and not args:
        return BranchAdminButton(act)
    branch_id = parse_id(args[0]) if args else None
    if act == "close" and len(args) == 1 and branch_id is not None:
        return BranchAdminButton(act, branch_id)
    if act != "unbind" or len(args) != 2 or branch_id is None or not _ID.fullmatch(args[1]):
        return None
    user_id = int(args[1])
    return BranchAdminButton(act, branch_id, user_id) if 0 < user_id <= MAX_USER_ID else None


# -- /unanswered: 忽略 (dismiss) a group of questions, 恢复 (restore) a dismissed one ------------------------------

CURATION_PREFIX = "cu:"
CURATION_ACTS = frozenset({"x", "u"})  # x: 忽略 (/unanswered), u: 恢复 (/unanswered 已忽略)
MAX_WINDOW_DAYS = 3660  # the longest window /unanswered takes (``/unanswered 3660``)


def encode_curation(act: str, question_id: int, days: int | None) -> str:
    """``cu:<act>:<question id>:<days>``: one question of the group (found again at the press) and the window the
    list was shown for (0: 全部), so the groups are recomputed as they were listed."""
    return f"{CURATION_PREFIX}{act}:{question_id}:{days or 0}"


def decode_curation(data: str) -> tuple[str, int, int | None] | None:
    """``(act, question id, days or None for 全部)`` of a 忽略 or 恢复 button, or None."""
    if not isinstance(data, str) or not data.startswith(CURATION_PREFIX) or len(data) > 64:
        return None
    act, *args = data[len(CURATION_PREFIX) :].split(":")
    if act not in CURATION_ACTS or len(args) != 2 or not re.fullmatch(r"[0-9]{1,4}", args[1]):
        return None
    question_id, days = parse_id(args[0]), int(args[1])
    if question_id is None or days > MAX_WINDOW_DAYS:
        return None
    return act, question_id, days or None
