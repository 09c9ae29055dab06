"""Choose the key sentence(s) of a passage for a query: at most ``LIMIT`` characters."""

from __future__ import annotations

import re
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


class _Term(NamedTuple):  # a named tuple, unpacked in ``_score``'s loop
    weight: float
    spellings: tuple[str, ...]  # normalised: the word and its formal synonyms
    definition: re.Pattern[str]  # "X即...", "X是指...": a definition of the word


def query_terms(query: AnalyzedQuery, weight: Callable[[str], float]) -> list[_Term]:
    """The query's content words as ``highlight`` weighs them: prepared once per query, for all its hits."""
    terms = []
    for word in query.content:
        spellings, definition = _spellings(word, query.expansions.get(word, ()))
        terms.append(_Term(weight(word), spellings, definition))
    return terms


def _within(terms: list[_Term], text: str) -> list[_Term]:
    """The terms with a spelling in ``text``."""
    out = []
    for term in terms:
        for spelling in term.spellings:
            if spelling in text:
                out.append(term)
                break
    return out


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
    grams: frozenset[str]  # character bigrams of ``norm``
    defines: bool  # it has 即 or 指, without which no word's definition pattern can match


@dataclass(frozen=True, slots=True)
class _Passage:
    sentences: tuple[_Sentence, ...]
    norm: str  # the sentences' ``norm`` joined by newlines, which no query word contains
    grams: frozenset[str]  # all the sentences' bigrams


@lru_cache(maxsize=4096)
def _prepared(text: str) -> _Passage:
    """A passage's sentences, normalised once (not again for every query that highlights the passage).

    Keyed by the passage text (whose hash Python keeps); bounded, so a large corpus never holds a second,
    normalised copy of itself.
    """
    out = []
    for sentence in sentences(text):
        out.append(_sentence(sentence))
    return _Passage(tuple(out), "\n".join(s.norm for s in out), frozenset().union(*(s.grams for s in out)))


def _sentence(text: str) -> _Sentence:
    norm = normalize(text)
    return _Sentence(text, norm, frozenset(bigrams(norm)), "即" in norm or "指" in norm)


def score_sentence(sentence: str, query: AnalyzedQuery, terms: list[_Term]) -> float:
    grams = list(query.bigrams.items())
    return _score(_sentence(sentence), terms, grams, max(1, len(grams)))


def _score(
    sentence: _Sentence,
    terms: list[_Term],
    grams: list[tuple[str, float]] | frozenset[str],
    denominator: int,
) -> float:
    """``terms`` and ``grams`` in the query's order (those the passage lacks may be left out: they add
    nothing), or ``grams`` as a set when each weighs 1; ``denominator``: the number of the query's bigrams."""
    norm = sentence.norm
    score = 0.0
    for weight, spellings, definition in terms:
        for spelling in spellings:
            if spelling in norm:
                score += weight
                # A definition ("X”即...", "X即...", "X是指...") answers "what is X" better than a mention.
                if sentence.defines and definition.search(norm):
                    score += weight
                break
    if isinstance(grams, frozenset):
        matched: float = len(sentence.grams & grams)  # weights of 1 sum to their count, in any order
    else:
        matched = 0  # summed in the query's order, as sum() would
        for gram, weight in grams:
            if gram in sentence.grams:
                matched += weight
    score += matched / denominator
    # Between sentences saying the same, the shorter one says it more directly.
    return score / (1 + len(sentence.text) / 400)


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
    # Only what the passage contains can score in one of its sentences.
    terms = _within(query_terms(query, weight) if terms is None else terms, passage.norm)
    grams: list[tuple[str, float]] | frozenset[str]
    if all(w == 1.0 for w in query.bigrams.values()):
        grams = frozenset(query.bigrams)
    else:
        grams = [(g, w) for g, w in query.bigrams.items() if g in passage.grams]
    denominator = max(1, len(query.bigrams))
    scores = [_score(s, terms, grams, denominator) for s in parts]
    if favoured:
        most = max(favoured.values())
        scores = [score * (1 + favour * favoured.get(n, 0.0) / most) for n, score in enumerate(scores)]
    best = scores.index(max(scores))  # the first of the best
    chosen = parts[best].text.strip()
    # A short heading-like sentence ("一是单独组建实现应建尽建。") needs the sentence after it.
    if len(chosen) < _MIN_SENTENCE and best + 1 < len(parts) and (best == 0 or _ITEM.match(chosen)):
        chosen = chosen + parts[best + 1].text.strip()
    if len(chosen) > limit:
        chosen = _window(chosen, query, limit)
    return chosen
