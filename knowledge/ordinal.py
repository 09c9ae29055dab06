"""Questions about the speeches' own outline: "五项行动第二项讲啥", "第六部分讲什么", "第三个行动是什么".

A secretary who has the speech in hand refers to its parts by number. The words of such a question (第二项) are
in no passage, so the ranking alone finds the right speech (its other words: 五项行动) but not the part. Here the
ordinal is read from the question and the first passage of that numbered section (``二、…``) of the lead's speech
is put first, as a numeric rule puts the passage that states it. Such an answer is never refused: at least the
closest passage (tentative) when too little of the question is in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.numbers import parse_count
from knowledge.types import Passage

# "第二项", "第六部分", "第三个行动"; not "第一个建支部的企业" nor "第一书记".
_ORDINAL = re.compile(
    r"第([一二三四五六七八九十]|[1-9])(?:项|部分|大项|大块|块|方面|个(?:行动|方面|部分|任务))"
)
# ... and only in a question about the speech's outline: "开支部会第一项学什么" asks about a meeting's agenda.
_OUTLINE = re.compile(r"行动|部分|讲话|讲稿|文件|章节|大项|大块")
_NUMERALS = "一二三四五六七八九十"


def ordinal(question: str) -> int | None:
    """The section number a question names ("第二项" -> 2), if any."""
    match = _ORDINAL.search(question)
    return parse_count(match.group(1)) if match and _OUTLINE.search(question) else None


def section_start(passages: Sequence[Passage], source: str, number: int) -> int | None:
    """The id of the first passage of section ``number`` (``二、…``) of the speech ``source``."""
    if not 1 <= number <= len(_NUMERALS):
        return None
    prefix = _NUMERALS[number - 1] + "、"
    return next(
        (p.id for p in passages if p.source == source and p.headings and p.headings[0].startswith(prefix)),
        None,
    )


def outline_lead(
    passages: Sequence[Passage], question: str, ranked: Sequence[tuple[int, float]]
) -> int | None:
    """The passage to put first for a question that names a section by number: the start of that section in the
    first speech, in ranking order (then in corpus order), that has one."""
    number = ordinal(question)
    if number is None:
        return None
    for source in dict.fromkeys([*(passages[i].source for i, _ in ranked), *(p.source for p in passages)]):
        start = section_start(passages, source, number)
        if start is not None:
            return start
    return None
