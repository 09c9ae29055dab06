"""Follow-up questions: "那联合建呢？", "具体怎么做" right after an answer are read with the question before.

A follow-up is short and leans on what was said: it opens with 那/那么/还有/如果…, ends with 呢, or names no
topic of its own (only question words: "具体怎么做", "有什么要求"). It is then asked as the previous question
followed by the follow-up's own words. The CLI asks single questions and never uses this.
"""

from __future__ import annotations

import re

MAX_FOLLOW_UP = 16  # characters, punctuation removed: longer questions stand on their own
_PUNCT = re.compile(r"[\s，。？！?!,.、；;：:“”\"'‘’（）()…~～]+")
_LEADS = (
    "那么",
    "那要是",
    "那如果",
    "那",
    "还有",
    "另外",
    "如果是",
    "如果",
    "要是",
    "假如",
    "再问一下",
    "再问",
)
_TOPICLESS = re.compile(
    r"^(具体|详细|那|那么)?(一点|一些|说说|讲讲|解释一下|说一下|讲一下)?"
    r"(怎么|如何|咋)(做|办|弄|操作|落实|执行|开展|搞|算)?(呀|啊|才行|才对)?$|"
    r"^(有|有没有|有什么|有哪些|都有哪些|还有什么|还有哪些|什么|哪些)(要求|规定|标准|条件|依据|例子|做法|办法|程序|流程|步骤)|"
    r"^(为什么|为啥|依据是什么|出处在哪|原文是什么|举个例子|比如呢|例如呢|然后呢|之后呢|接下来呢)$"
)


def _core(text: str) -> str:
    return _PUNCT.sub("", text)


# Question words: a question ending in 呢 that holds one asks on its own.
_ASKS = re.compile(
    r"怎么|怎样|如何|什么|啥|多久|多少|几|哪|谁|是否|能否|要不要|是不是|有没有|能不能|可不可以|吗"
)
# Spoken fillers that open a question of its own ("那个，五星支部怎么评"): not the lead 那.
_FILLERS = ("那个", "那啥", "那什么", "嗯", "呃", "额")


def is_follow_up(text: str) -> bool:
    core = _core(text)
    while core.startswith(_FILLERS) and not core.startswith("那个呢"):
        core = core[next(len(f) for f in _FILLERS if core.startswith(f)) :]
    if not core or len(core) > MAX_FOLLOW_UP:
        return False
    if core.startswith(_LEADS):
        return True
    plain = core.removesuffix("呢")
    if (
        plain and _TOPICLESS.match(plain) and len(plain) <= 10
    ):  # "具体怎么做呢", "为什么呢": no topic of its own
        return True
    if core.endswith("呢"):  # "经费呢" leans on the question before; "主题党日多久开一次呢" asks its own
        return not _ASKS.search(core)
    return bool(_TOPICLESS.match(core)) and len(core) <= 10


# Joins a follow-up to the question it is read with; what is stored of a follow-up is "<question> → <follow-up>",
# and a later follow-up is read with the question alone, never with a chain of earlier follow-ups.
SEPARATOR = " → "
_NUMBER = re.compile(r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?=[名个位家人万元千百%])")


def original(query: str) -> str:
    """The question a stored query starts from (a follow-up's earlier question), without its follow-ups."""
    return query.split(SEPARATOR, 1)[0]


def with_context(previous: str, follow_up: str, limit: int = 500) -> str:
    """The follow-up asked in the light of the previous question (its own words last, leads dropped).

    A follow-up that gives a number of its own ("那1000万呢", "如果有5名呢") asks the previous question again with
    that number: it takes the place of the previous question's first number, which is what the rules read."""
    previous = original(previous).strip()
    core = _core(follow_up)
    for lead in _LEADS:
        if core.startswith(lead):
            core = core[len(lead) :]
            break
    number = _NUMBER.search(core)
    if number is not None and _NUMBER.search(previous):
        previous = _NUMBER.sub(number.group(0), previous, count=1)
    combined = f"{previous}{SEPARATOR}{core}" if core else previous
    return combined[-limit:]
