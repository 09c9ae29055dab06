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

from knowledge.decide import Confidence
from knowledge.numbers import parse_count
from knowledge.types import Passage

# "第二项", "第六部分", "第三个行动"; not "第一个建支部的企业" nor "第一书记".
_ORDINAL = re.compile(
    r"第([一二三四五六七八九十]|[1-9])(?:项|部分|大项|大块|块|方面|个(?:行动|方面|部分|任务))"
)
# "最后一项", "最后一部分": the speech's last numbered section.
_LAST = re.compile(r"最后(?:一)?(?:项|部分|大项|大块|块|方面|个(?:行动|方面|部分|任务))")
LAST = -1
# ... and only in a question about the speech's outline: "开支部会第一项学什么" asks about a meeting's agenda.
_OUTLINE = re.compile(r"行动|部分|讲话|讲稿|文件|章节|大项|大块")
_NUMERALS = "一二三四五六七八九十"


def ordinal(question: str) -> int | None:
    """The section number a question names ("第二项" -> 2; "最后一部分" -> ``LAST``), if any."""
    if not _OUTLINE.search(question):
        return None
    match = _ORDINAL.search(question)
    if match:
        return parse_count(match.group(1))
    return LAST if _LAST.search(question) else None


def section_start(passages: Sequence[Passage], source: str, number: int) -> int | None:
    """The id of the first passage of section ``number`` (``二、…``; ``LAST``: the last such) of the speech
    ``source``."""
    starts: dict[str, int] = {}
    for p in passages:
        if p.source == source and p.headings and p.headings[0][1:2] == "、" and p.headings[0][0] in _NUMERALS:
            starts.setdefault(p.headings[0][0], p.id)
    if number == LAST:
        return starts[max(starts, key=_NUMERALS.index)] if starts else None
    if not 1 <= number <= len(_NUMERALS):
        return None
    return starts.get(_NUMERALS[number - 1])


def outline_lead(
    passages: Sequence[Passage], question: str, ranked: Sequence[tuple[int, float]]
) -> int | None:
    """The passage to put first for a question that names a section by number (``outline_choice``)."""
    choice = outline_choice(passages, question, ranked)
    return choice[0] if choice else None


def outline_choice(
    passages: Sequence[Passage], question: str, ranked: Sequence[tuple[int, float]]
) -> tuple[int, Confidence] | None:
    """For a question that names a section by number: the start of that section in the first speech, in ranking
    order (then in corpus order), that has one; a question that calls the parts 行动 ("第一项行动") prefers a
    speech whose section of that number is an action (``一、实施…行动``). With it, how sure the choice is: "high"
    when only one speech has such a section, else "low" (the ranking's pick may be the other speech's)."""
    number = ordinal(question)
    if number is None:
        return None
    sources = dict.fromkeys([*(passages[i].source for i, _ in ranked), *(p.source for p in passages)])
    starts = [s for s in (section_start(passages, source, number) for source in sources) if s is not None]
    if "行动" in question:
        actions = [s for s in starts if "行动" in passages[s].headings[0]]
        starts = actions or starts
    return (starts[0], "high" if len(starts) == 1 else "low") if starts else None


# "第二个先锋", "第三项", "第2条": an item of a list the speeches number (二是…, 三要…) by its place.
_COUNTED = re.compile(r"[二三四五六七八九十两]+[个项条种大]?[\u4e00-\u9fff]{1,6}$")
_ITEM_ORDINAL = re.compile(
    r"第([一二三四五六七八九十]|[1-9])(?:个|项|条|点|种)(?!议题|位|要)"
)  # not 第一议题


def item_choice(
    passages: Sequence[Passage], question: str, words: Sequence[str], ranked: Sequence[tuple[int, float]]
) -> tuple[int, Confidence] | None:
    """For a question that names an item by its place ("第二个先锋是什么"; a follow-up read with its question,
    "四个先锋是哪四个 → 第三个"): the passage whose item heading is that number (``二是…``, ``二要…``) under a
    heading path naming a word of the question (先锋, 四个先锋), ranked candidates first. "high" when one item
    heading is such, else "low"."""
    match = _ITEM_ORDINAL.search(question)
    if match is None or ordinal(question) is not None:
        return None
    number = parse_count(match.group(1))
    if number is None or not 1 <= number <= len(_NUMERALS):
        return None
    marks = (_NUMERALS[number - 1] + "是", _NUMERALS[number - 1] + "要")
    named = [w for w in words if len(w) >= 2 and not w.startswith("第")]
    if not named:
        return None
    # A word names the item itself (先锋: 二是争当…先锋), or, with its count, the list (四个先锋: 四、开展争当“四个先锋”…).
    counted = [w for w in named if _COUNTED.match(w)]
    found = [
        p.id
        for p in passages
        if len(p.headings) >= 2
        and p.headings[-1].startswith(marks)
        and (any(w in p.headings[-1] for w in named) or any(w in h for w in counted for h in p.headings))
    ]
    if not found:
        return None
    headings = {passages[i].headings for i in found}
    order = {i: n for n, (i, _) in enumerate(ranked)}
    best = min(found, key=lambda i: (order.get(i, len(order)), i))
    return best, "high" if len(headings) == 1 else "low"
