"""Choose the key sentence(s) of a passage for a query: at most ``LIMIT`` characters."""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.segment import AnalyzedQuery, bigrams, normalize

LIMIT = 200
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]?")
_MIN_SENTENCE = 24


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def _alternatives(query: AnalyzedQuery, word: str) -> tuple[str, ...]:
    return (word, *query.expansions.get(word, ()))


def score_sentence(sentence: str, query: AnalyzedQuery, weight: Callable[[str], float]) -> float:
    norm = normalize(sentence)
    score = 0.0
    for word in query.content:
        alts = _alternatives(query, word)
        if any(normalize(a) in norm for a in alts):
            score += weight(word)
            # A definition ("X”即...", "X即...", "X是指...") answers "what is X" better than a mention.
            if any(re.search(re.escape(normalize(a)) + r"[”\"’]?(即|是指|指的是)", norm) for a in alts):
                score += weight(word)
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
    scores = [score_sentence(s, query, weight) for s in parts]
    best = max(range(len(parts)), key=lambda i: (scores[i], -i))
    chosen = parts[best].strip()
    # A short heading-like sentence ("一是单独组建实现应建尽建。") needs the sentence after it.
    if len(chosen) < _MIN_SENTENCE and best + 1 < len(parts):
        chosen = chosen + parts[best + 1].strip()
    if len(chosen) > limit:
        chosen = _window(chosen, query, limit)
    return chosen
