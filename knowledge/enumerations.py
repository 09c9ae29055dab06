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
from dataclasses import dataclass

from knowledge.abbrev import with_speech_terms
from knowledge.patterns import quick
from knowledge.segment import AnalyzedQuery

_RUN = re.compile(r"[\u4e00-\u9fff]{1,14}(?:、[\u4e00-\u9fff]{1,14})+")
_COUNT = "零一二三四五六七八九十"
_OPEN, _CLOSE = "“\"「‘'", "”\"」’'"
# A quoted character alone names its list only in a question that asks for the items (党员要“亮”哪几样), not in
# a bare “党”.
_ASKS_ITEMS = re.compile(r"哪几|哪些|几样|几个|几项|什么|啥|是哪|有哪")
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
                yield _COUNT[count] + mark, "、".join(stretch).removesuffix("等")
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


@dataclass(frozen=True, slots=True)
class Shorthands:
    """The table and one pattern that finds its shorthands, or a list's character quoted alone, in a question
    (one scan, however many lists the corpus holds)."""

    table: Mapping[str, str]
    pattern: re.Pattern[str] | None
    by_mark: Mapping[str, str]  # the shared character -> its shorthand


def compiled(table: Mapping[str, str]) -> Shorthands:
    by_mark: dict[str, str] = {}
    for short in table:
        by_mark.setdefault(short[1:], short)
    if not table:
        return Shorthands(table, None, by_mark)
    keys = "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
    marks = "|".join(map(re.escape, by_mark))
    return Shorthands(table, quick(rf"({keys})|[{_OPEN}]({marks})[{_CLOSE}]"), by_mark)


def expand(
    query: AnalyzedQuery,
    text: str,
    shorthands: Shorthands | Mapping[str, str],
    words_of: Callable[[str], list[str]],
) -> AnalyzedQuery:
    """``query`` (analysed from ``text``) with each shorthand it names as a content word whose speech terms are
    the list and its items, and the list's words (``words_of``) among its ranking words."""
    found = shorthands if isinstance(shorthands, Shorthands) else compiled(shorthands)
    if found.pattern is None:
        return query
    named: list[str] = []
    for match in found.pattern.finditer(text):
        short = match.group(1) or (found.by_mark[match.group(2)] if _ASKS_ITEMS.search(text) else None)
        if short and short not in query.content and short not in named:
            named.append(short)
    terms = {short: (found.table[short], *found.table[short].split("、")) for short in named}
    ranking = (word for short in named for word in words_of(found.table[short]))
    return with_speech_terms(query, terms, ranking, tuple(named))
