"""Choose the key sentence(s) of a passage for a query: at most ``LIMIT`` characters."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from knowledge.segment import AnalyzedQuery, bigrams, normalize

LIMIT = 200
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]?")
_MIN_SENTENCE = 24
# An item's opening ("一是…", "二要…", "（三）…", "2.…"): a heading that needs the sentence after it. A short
# sentence inside a passage that opens no item states something whole ("联合党组织覆盖单位数不超过5个。").
_ITEM = re.compile(
    r"[一二三四五六七八九十]+(?:是|要|、)|（[一二三四五六七八九十]+）|\d+[.、．]|首先|其次|最后|第[一二三四五六七八九十]"
)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


class _Term(NamedTuple):  # a named tuple, unpacked in ``_scores``' loop
    weight: float
    spellings: tuple[str, ...]  # normalised: the word and its formal synonyms
    definition: re.Pattern[str]  # "X即...", "X是指...": a definition of the word


class _Grams(NamedTuple):
    """A query's bigrams as ``highlight`` weighs them."""

    source: dict[str, float]  # the ``AnalyzedQuery.bigrams`` these were made of
    order: dict[str, int] | None  # each one's place in the query; None when each weighs 1 (they are counted)
    denominator: int  # the number of the query's bigrams (at least 1)


_ONE = frozenset({1.0})
# The last question's ``_Grams``, kept for its other hits: keyed by its bigrams' mapping itself (made anew for every
# question, never changed after), so nothing is kept across questions.
_recent: _Grams | None = None


def query_terms(query: AnalyzedQuery, weight: Callable[[str], float]) -> list[_Term]:
    """The query's content words as ``highlight`` weighs them: prepared once per query, for all its hits."""
    terms = []
    for word in query.content:
        spellings, definition = _spellings(word, query.expansions.get(word, ()))
        terms.append(_Term(weight(word), spellings, definition))
    return terms


def _query_grams(query: AnalyzedQuery) -> _Grams:
    """``query``'s bigrams as ``highlight`` weighs them, made once per question."""
    global _recent
    grams = query.bigrams
    recent = _recent
    if recent is None or recent.source is not grams:
        order = None if set(grams.values()) <= _ONE else {g: n for n, g in enumerate(grams)}
        recent = _recent = _Grams(grams, order, max(1, len(grams)))
    return recent


@lru_cache(maxsize=4096)
def _spellings(word: str, expansions: tuple[str, ...]) -> tuple[tuple[str, ...], re.Pattern[str]]:
    """A word's normalised spellings (itself and its formal synonyms) and the pattern of its definition."""
    spellings = tuple(normalize(a) for a in (word, *expansions))
    pattern = "|".join(re.escape(a) for a in spellings)
    return spellings, re.compile(rf"(?:{pattern})[”\"’]?(即|是指|指的是)")


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str  # as written
    norm: str  # normalised
    defines: bool  # it has 即 or 指, without which no word's definition pattern can match
    scale: float  # what its score is divided by: 1 + its length / 400 (the shorter says it more directly)


@dataclass(frozen=True, slots=True)
class _Passage:
    sentences: tuple[_Sentence, ...]
    norm: str  # the sentences' ``norm`` joined by newlines, which no query word contains
    starts: tuple[int, ...]  # where each sentence's ``norm`` starts in ``norm``
    # Each character bigram of a sentence's ``norm`` -> the bits of the sentences that hold it (bit n: sentence n).
    grams: dict[str, int]


@lru_cache(maxsize=4096)
def _prepared(text: str) -> _Passage:
    """A passage's sentences, normalised once (not again for every query that highlights the passage).

    Keyed by the passage text (whose hash Python keeps); bounded, so a large corpus never holds a second,
    normalised copy of itself.
    """
    out, starts, grams, at = [], [], {}, 0
    for n, sentence in enumerate(sentences(text)):
        norm = normalize(sentence)
        out.append(_Sentence(sentence, norm, "即" in norm or "指" in norm, 1 + len(sentence) / 400))
        starts.append(at)
        at += len(norm) + 1
        bit = 1 << n
        for gram in bigrams(norm):
            grams[gram] = grams.get(gram, 0) | bit
    return _Passage(tuple(out), "\n".join(s.norm for s in out), tuple(starts), grams)


# The indexes of the bits of each number below 256 (the sentences a mask of a passage of up to 8 sentences names).
_BITS = tuple(tuple(n for n in range(8) if mask >> n & 1) for mask in range(256))


def _indexes(mask: int) -> tuple[int, ...]:
    """The indexes of the bits of ``mask``, lowest first (``_BITS[mask]`` below 256)."""
    return tuple(n for n in range(mask.bit_length()) if mask >> n & 1)


def _scores(passage: _Passage, terms: list[_Term], grams: _Grams) -> tuple[list[float], list[float]] | None:
    """What each sentence holds of the query: the weights of the ``terms`` it holds (twice a word's it defines) and
    of its bigrams (``matched``); None when no sentence holds anything. Each sentence's weights are added in the
    query's order, as a loop over the terms and then the bigrams would."""
    parts, norm, starts = passage.sentences, passage.norm, passage.starts
    held, last = [0.0] * len(parts), len(parts) - 1
    found = False
    for weight, spellings, definition in terms:
        mask = 0  # the sentences that hold one of the term's spellings
        for spelling in spellings:
            at = norm.find(spelling)
            while at >= 0:
                n = bisect_right(starts, at) - 1
                mask |= 1 << n
                if n == last:
                    break
                at = norm.find(spelling, starts[n + 1])  # on from the next sentence
        if not mask:
            continue
        found = True
        for n in _BITS[mask] if mask < 256 else _indexes(mask):
            score = held[n] + weight
            # A definition ("X”即...", "X即...", "X是指...") answers "what is X" better than a mention.
            if parts[n].defines and definition.search(parts[n].norm):
                score += weight
            held[n] = score
    matched: list[float] = [0] * len(parts)  # type: ignore[list-item]  # summed from 0 as sum() would
    masks = passage.grams
    shared = masks.keys() & grams.source.keys()
    if shared:
        found = True
        if grams.order is None:  # weights of 1 sum to their count, in any order
            for gram in shared:
                mask = masks[gram]
                for n in _BITS[mask] if mask < 256 else _indexes(mask):
                    matched[n] += 1
        else:
            weights = grams.source
            for gram in sorted(shared, key=grams.order.__getitem__):
                mask, weight = masks[gram], weights[gram]
                for n in _BITS[mask] if mask < 256 else _indexes(mask):
                    matched[n] += weight
    return (held, matched) if found else None


def _window(sentence: str, query: AnalyzedQuery, limit: int) -> str:
    norm = normalize(sentence)
    positions = [norm.find(normalize(w)) for w in query.content if normalize(w) in norm]
    first = min((p for p in positions if p >= 0), default=0)
    start = max(0, min(first - limit // 4, len(sentence) - limit))
    piece = sentence[start : start + limit - 2]
    return ("…" if start > 0 else "") + piece + "…"


def highlight(
    text: str,
    query: AnalyzedQuery,
    weight: Callable[[str], float],
    limit: int = LIMIT,
    terms: list[_Term] | None = None,
    favoured: Mapping[int, float] | None = None,
    favour: float = 1.0,
) -> str:
    """The key sentence of ``text`` for ``query``; ``terms``: ``query_terms(query, weight)``, if already made;
    ``favoured``: sentence index -> how well past questions answered there match this one (``knowledge.asked``):
    a sentence's score is multiplied by 1 + ``favour`` x its share of the best (a sentence that holds nothing of
    the question still scores nothing)."""
    passage = _prepared(text)
    parts = passage.sentences
    if not parts:
        return text[:limit]
    best = 0  # a passage of one sentence, or holding nothing of the query: every score is the same
    if len(parts) > 1:
        grams = _query_grams(query)
        found = _scores(passage, query_terms(query, weight) if terms is None else terms, grams)
        if found is not None:
            held, matched = found
            size = grams.denominator
            if favoured:
                most, share = max(favoured.values()), favoured.get
                scores = [
                    (held[n] + matched[n] / size) / s.scale * (1 + favour * share(n, 0.0) / most)
                    for n, s in enumerate(parts)
                ]
            else:
                scores = [(held[n] + matched[n] / size) / s.scale for n, s in enumerate(parts)]
            best = scores.index(max(scores))  # the first of the best
    chosen = parts[best].text.strip()
    # A short heading-like sentence ("一是单独组建实现应建尽建。") needs the sentence after it.
    if len(chosen) < _MIN_SENTENCE and best + 1 < len(parts) and (best == 0 or _ITEM.match(chosen)):
        chosen = chosen + parts[best + 1].text.strip()
    if len(chosen) > limit:
        chosen = _window(chosen, query, limit)
    return chosen
