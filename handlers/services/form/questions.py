"""A question typed into the form (缺席的人需要写原因吗？, 会议记录可以拍照上传吗？): how it is read, pure.

The absentees step refuses it (a question is never a person); a text field keeps it as typed and says so
(``prompts.after_question``); a step that refuses the text anyway adds how to ask (``Notice.ASK_LATER``).
"""

from __future__ import annotations

import re

from handlers.services.form.model import InputError, Notice

# Ends as a question: ？ / ?, or the particles 吗 / 呢 (a full stop or spaces after them aside).
ENDS_ASKING = re.compile(r"(?:[?？]|[吗呢][。.！!]?)\s*$")
# Opens as a question. Only words no name or place begins with: 如何 and 怎样 open topics too, but a topic is
# only noted (by its ending), never refused.
_OPENS_ASKING = re.compile(
    r"^\s*(?:请问|想问|问一下|怎么|怎样|咋|如何|为什么|为啥|什么|啥|哪|是不是|是否|能不能|能否|可不可以|"
    r"可以不可以|要不要|需不需要|用不用|有没有|几个|多少)"
)


NOT_A_PERSON = "这句像是提问，没有记作缺席人员。"  # the absentees, in the form and in a record's change


def looks_like_question(text: str | None) -> bool:
    """The text reads as a question: it ends with ？/?/吗/呢, or opens with a question word."""
    text = (text or "").strip()
    return bool(text) and bool(ENDS_ASKING.search(text) or _OPENS_ASKING.match(text))


def ask_later(exc: InputError, text: str | None) -> Notice | None:
    """The notice of a refusal of a text that reads as a question: how to ask it, or (``NOT_A_PERSON``) nothing
    more for the refusal that already says so; either tells a channel that a question was refused."""
    if isinstance(exc, QuestionRefused):
        return Notice.NOT_A_PERSON
    return Notice.ASK_LATER if looks_like_question(text) else None


class QuestionRefused(InputError):
    """A question typed where only names are taken (the absentees): refused, the step asked again."""

    def __init__(self, step_ask: str, skip_hint: str | None = None) -> None:
        super().__init__(
            f"{NOT_A_PERSON}问题可以在填完表单后直接发送提问，不用取消表单。\n{step_ask}",
            skip_hint,
        )
