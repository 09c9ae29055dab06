"""The activity-record form as plain values: steps, limits, inputs, actions, outcomes and replies.

Nothing here knows a channel: a button is a label and an ``Action``; the Telegram adapter encodes actions as
callback data, a web page could render them as links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from knowledge.activities import ActivityKind, FieldSpec

FORM_TIMEOUT = timedelta(minutes=30)
MAX_TEXT = 200
MAX_ABSENTEES_TEXT = 500  # one line per absent person: a long list fits, a stray paste does not
MIN_TEXT = 2
MAX_MINUTES_TEXT = 4000
MIN_MINUTES_TEXT = 10
MAX_MINUTES_PAGES = 20
MAX_MINUTES_DOCS = 10  # documents (PDF/Word) of the minutes: the minutes, a sign-in sheet, annexes
# In a draft's data: the step a minutes document moved the form on to. While the form waits there and nothing
# else was entered, a further document (the rest of an album, a sign-in sheet sent next) joins the minutes.
MINUTES_MORE = "minutes_more"
MAX_ATTENDANCE = 10000
MAX_FIELD_NUMBER = 100000
FIELD_PREFIX = "field:"
# Telegram's apps split a paste over 4096 characters into consecutive messages sent within a second or two: a
# text that follows a text refused for its length this soon (by the messages' dates) at the same step is the
# rest of that paste, never a new answer (a person cannot read the refusal and type again this fast).
PASTE_WINDOW = timedelta(seconds=5)
# Only a text this long can be the first part of a split paste (the apps cut near 4096, at a line break at
# worst a little earlier): a short text refused for its length, then corrected at once, is not one.
PASTE_PART_MIN = 2048


class Step(StrEnum):
    """The fixed steps; a kind's own fields are ``field:<key>`` steps between ABSENTEES and MINUTES."""

    KIND = "kind"
    DATE = "date"
    TOPIC = "topic"
    PLACE = "place"
    ATTENDANCE = "attendance"
    ABSENTEES = "absentees"
    MINUTES = "minutes"
    PHOTOS = "photos"
    SUMMARY = "summary"


BASE_STEPS: tuple[str, ...] = (Step.KIND, Step.DATE, Step.TOPIC, Step.PLACE, Step.ATTENDANCE, Step.ABSENTEES)
TAIL_STEPS: tuple[str, ...] = (Step.MINUTES, Step.PHOTOS, Step.SUMMARY)
NOT_EDITABLE: frozenset[str] = frozenset({Step.KIND, Step.ABSENTEES, Step.SUMMARY})


def steps_for(ak: ActivityKind) -> list[str]:
    return [*BASE_STEPS, *(f"{FIELD_PREFIX}{f.key}" for f in ak.fields), *TAIL_STEPS]


def field_of(ak: ActivityKind | None, step: str) -> FieldSpec | None:
    if ak is None or not step.startswith(FIELD_PREFIX):
        return None
    key = step.removeprefix(FIELD_PREFIX)
    return next((f for f in ak.fields if f.key == key), None)


class Act(StrEnum):
    """What a button of the form does."""

    KIND = "kind"  # arg: the activity code
    DATE = "date"  # arg: days ago, "0" or "1"
    OPTION = "opt"  # arg: the option's index
    DONE = "done"
    CONFIRM = "confirm"
    EDIT = "edit"  # arg: the step to change
    BACK = "back"  # 返回核对: leave an edit from the summary, the item as it was
    CLEAR = "clear"  # 清空已有照片: the photos step starts again from none
    RESUME = "resume"
    RESTART = "restart"
    CANCEL = "cancel"  # 取消填写: asks first when the draft holds anything entered (``form/cancel.py``)
    DISCARD = "discard"  # 确认取消: the draft is deleted
    RECORD = "rec"  # arg: a stored record's id; the adapter opens it as /records does (``form/returned.py``)


@dataclass(frozen=True, slots=True)
class Action:
    act: Act
    arg: str = ""


Button = tuple[str, Action]
Buttons = list[list[Button]]


class Notice(StrEnum):
    """A sentence that names a channel's own commands: the adapter words it (e.g. "发送 /submit …")."""

    HOW_TO_START = "how_to_start"
    DRAFT_GONE = "draft_gone"
    CANCELLED = "cancelled"
    BROKEN = "broken"
    HOW_TO_VIEW = "how_to_view"
    HOW_TO_RESUME = "how_to_resume"  # a file sent for a draft left idle (not at the photos step)
    ASK_LATER = "ask_later"  # a refused text that reads as a question: it can be asked after the form
    NOT_A_PERSON = (
        "not_a_person"  # a question typed for the absentees: refused, says so itself (adds nothing)
    )


@dataclass
class Reply:
    """What the form says back: text, then an optional channel-worded notice, and buttons."""

    text: str
    buttons: Buttons = field(default_factory=list)
    in_place: bool = False  # update the message whose button was pressed instead of sending a new one
    skip_hint: str | None = None  # the step may be skipped: "不统计", "不填写" ... (the adapter says how)
    notice: Notice | None = None
    spent: bool = False  # a button of a message the form has moved past: only answered, its buttons removed


@dataclass(frozen=True, slots=True)
class Input:
    """One input to the current step: typed text, a pressed button, or a request to skip."""

    text: str | None = None
    action: Action | None = None
    skip: bool = False
    sent_at: datetime | None = None  # the message's own date (Telegram's), for the parts of a split paste


class Outcome(StrEnum):
    ADVANCE = "advance"  # the step is done: go on to the next
    STAY = "stay"  # applied, the step stays (a multiple choice toggled)
    GOTO = "goto"  # jump to ``target`` (an edit from the summary)
    CONFIRM = "confirm"  # the summary was confirmed: store the record


@dataclass(frozen=True, slots=True)
class StepResult:
    data: dict
    outcome: Outcome
    target: str | None = None
    note: str | None = None  # told before the next prompt (a pasted notice's lines left out)


class InputError(ValueError):
    """The input does not fit the step: the message says what would, in Chinese; the draft is unchanged."""

    def __init__(self, message: str, skip_hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.skip_hint = skip_hint


class TooLong(InputError):
    """A text over the step's length limit (``limit`` characters): maybe the first part of a split paste."""

    def __init__(self, message: str, limit: int, skip_hint: str | None = None) -> None:
        super().__init__(message, skip_hint)
        self.limit = limit


class SpentButton(InputError):
    """A button of the summary (确认提交, 改…) pressed while the draft is at another step: an old message's."""

    def __init__(self) -> None:
        super().__init__("")


class BrokenDraft(InputError):
    """The draft names a step or kind that does not exist (an old draft, a tampered row)."""

    def __init__(self) -> None:
        super().__init__("表单状态异常，")


NO_BRANCH = (
    "您还没有加入党支部，暂时不能提交活动记录。\n"
    "请联系上级党委管理员为您的支部生成邀请链接，点击链接即可成为支部书记。\n"
    "（提问不受影响，直接输入问题即可。）"
)
NO_FORM = Reply("当前没有正在填写的表单。", notice=Notice.HOW_TO_START)
