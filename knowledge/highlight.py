"""Choose the key sentence(s) of a passage for a query: at most ``LIMIT`` characters."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.segment import AnalyzedQuery, bigrams, normalize

LIMIT = 200
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]?")
_MIN_SENTENCE = 24


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


@dataclass(frozen=True, slots=True)
class _Term:
    weight: float
    spellings: tuple[str, ...]  # normalised: the word and its formal synonyms
    definition: re.Pattern[str]  # "X即...", "X是指...": a definition of the word


def _terms(query: AnalyzedQuery, weight: Callable[[str], float]) -> list[_Term]:
    """The query's content words, prepared once per query (not once per sentence)."""
    terms = []
    for word in query.content:
        spellings = tuple(normalize(a) for a in (word, *query.expansions.get(word, ())))
        pattern = "|".join(re.escape(a) for a in spellings)
        terms.append(_Term(weight(word), spellings, re.compile(rf"(?:{pattern})[”\"’]?(即|是指|指的是)")))
    return terms


def score_sentence(sentence: str, query: AnalyzedQuery, terms: list[_Term]) -> float:
    norm = normalize(sentence)
    score = 0.0
    for term in terms:
        if any(a in norm for a in term.spellings):
            score += term.weight
            # A definition ("X”即...", "X即...", "X是指...") answers "what is X" better than a mention.
            if term.definition.search(norm):
                score += term.weight
    grams = set(bigrams(norm))
    score += sum(w for g, w in query.bigrams.items() if g in grams) / max(1, len(query.bigrams))
    # Between sentences saying the same, the shorter one says it more directly.
    return score / (1 + len(sentence) / 400)


def _window(sentence: str, query: AnalyzedQuery, limit: int) -> str:
    norm = normalize(sentence)
    positions = [norm.find(normalize(w)) for w in query.content if normalize(w) in norm]
    first = min((p for p in positions if p >= 0), default=0)
    start = max(0, min(first - limit // 4, len(sentence) - limit))
    piece = sentence[start : start + limit - 2]
    return ("…" if start > 0 else "") + piece + "…"


def highlight(text: str, query: AnalyzedQuery, weight: Callable[[str], float], limit: int = LIMIT) -> str:
    parts = sentences(text)
    if not parts:
        return text[:limit]
    terms = _terms(query, weight)
    scores = [score_sentence(s, query, terms) for s in parts]
    best = max(range(len(parts)), key=lambda i: (scores[i], -i))
    chosen = parts[best].strip()
    # A short heading-like sentence ("一是单独组建实现应建尽建。") needs the sentence after it.
    if len(chosen) < _MIN_SENTENCE and best + 1 < len(parts):
        chosen = chosen + parts[best + 1].strip()
    if len(chosen) > limit:
        chosen = _window(chosen, query, limit)
    return chosen
