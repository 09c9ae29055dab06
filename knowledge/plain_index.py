"""The BM25 index of a small corpus, in plain Python: the same scores as ``knowledge.index``, without numpy.

``branchbot run`` serves the shipped speeches (a few dozen passages) for weeks; importing numpy costs it about
10 MB of resident memory (measured with ``bench.idle_rss``) for vector operations that a corpus this small does
not need. Below ``PLAIN_MAX_PASSAGES`` passages the knowledge base builds this index instead; a larger corpus (an
added folder of documents) gets the numpy one.

The arithmetic is numpy's, step by step, so both indexes give every passage the same float32 score (a test proves
it on the speeches and on random corpora): impacts computed in float64 and rounded to float32 (``array("f")``
rounds on store), a term's weight rounded to float32 before it multiplies the impacts, and each passage's score
summed in float32 term by term in the query's order (float64 carries more than twice float32's precision, so a
float32 sum or product computed in float64 and rounded on store is the correctly rounded float32 result: numpy's).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from knowledge.index_math import K1, B, SearchIndex, count_postings, native_scoring

# Measured (the speeches plus a synthetic corpus, the whole ask): equal on the speeches (53 passages, 0.37 ms),
# 25% slower at 153 passages, 2.4x at 515; so the plain index only where numpy would be loaded for little more.
PLAIN_MAX_PASSAGES = 120
_scoring = native_scoring()  # the same loop in C (it needs no numpy), or None (the Python loop below)
_NO_ROWS = array("f")  # a plain channel has no dense rows
# Scaled postings a channel remembers before it forgets them all (about 90 bytes each: 3 MB at most).
SCALED_MEMO = 32_768


@dataclass
class PlainChannel:
    """One field's postings, packed: term ``t``'s passages (ascending) are ``ids[starts[i]:starts[i + 1]]`` for
    ``i = terms[t]``, with their float32 impacts at the same places in ``impacts``. One array of each for the
    channel, not two per term: ``branchbot run`` idle after a question 120.4 -> 119.5 MB (``bench.idle_rss``)."""

    terms: dict[str, int]
    starts: array
    ids: array
    impacts: array
    idf: dict[str, float]
    n_docs: int
    # Postings scaled by a query's weight (``_scale``), and how many postings they hold.
    _scaled: dict[tuple[str, float], tuple[tuple[int, float], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _held: int = field(default=0, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], k1: float = K1, b: float = B) -> PlainChannel:
        terms, post_terms, post_docs, post_tfs, lengths = count_postings(docs)
        n = len(lengths)
        total = sum(lengths)
        avgdl = total / n if n and total else 1.0
        norm = [k1 * (1 - b + b * float(length) / avgdl) for length in lengths]
        grouped: list[list[tuple[int, int]]] = [[] for _ in terms]
        for term, doc, tf in zip(post_terms, post_docs, post_tfs, strict=True):
            grouped[term].append((doc, min(tf, 65535)))  # passages in ascending order within a term
        idf_values = [math.log(1 + (n - len(g) + 0.5) / (len(g) + 0.5)) for g in grouped]
        starts, ids, impacts = array("i", [0]), array("i"), array("f")
        for group, idf in zip(grouped, idf_values, strict=True):
            ids.extend(doc for doc, _ in group)
            impacts.extend(idf * float(tf) * (k1 + 1) / (float(tf) + norm[doc]) for doc, tf in group)
            starts.append(len(ids))
        index = {term: i for i, term in enumerate(terms)}
        return cls(index, starts, ids, impacts, dict(zip(terms, idf_values, strict=True)), n)

    @property
    def postings(self) -> dict[str, tuple[array, array]]:
        """``{term: (passage ids ascending, float32 impacts)}``, unpacked (for tests and tools)."""
        return {term: self._span(i) for term, i in self.terms.items()}

    def _span(self, i: int) -> tuple[array, array]:
        start, end = self.starts[i], self.starts[i + 1]
        return self.ids[start:end], self.impacts[start:end]

    def df(self, term: str) -> int:
        i = self.terms.get(term)
        return 0 if i is None else self.starts[i + 1] - self.starts[i]

    def max_idf(self) -> float:
        return math.log(1 + (self.n_docs + 0.5) / 0.5)

    def spans(self, terms: Iterable[tuple[str, float]], scale: float) -> list[tuple[int, int, float]]:
        """The query's terms for ``_scoring.accumulate``, in order: ``(start, end, factor)`` of each term's
        postings; a term the channel lacks is left out."""
        index, starts = self.terms, self.starts
        return [
            (starts[i], starts[i + 1], weight * scale)
            for term, weight in terms
            if (i := index.get(term)) is not None
        ]

    def add_to(self, scores: array, terms: Iterable[tuple[str, float]], scale: float = 1.0) -> None:
        """Adds each term's impacts times its weight (as float32) to ``scores``, in the terms' order."""
        memo = self._scaled
        for term, weight in terms:
            factor = weight * scale
            found = memo.get((term, factor))
            if found is None:
                found = self._scale(term, factor)
            for doc, value in found:
                scores[doc] += value

    def _scale(self, term: str, factor: float) -> tuple[tuple[int, float], ...]:
        """A term's postings with its impacts times ``factor`` as float32 products (rounded on store), remembered
        per term and factor (a query's weights take a few values); the memo is emptied when it holds
        ``SCALED_MEMO`` postings."""
        i = self.terms.get(term)
        scaled: tuple[tuple[int, float], ...] = ()
        if i is not None:
            ids, impacts = self._span(i)
            if factor != 1.0:  # a bound method maps faster than a genexpr
                impacts = array("f", map(array("f", (factor,))[0].__mul__, impacts))
            scaled = tuple(zip(ids, impacts, strict=True))  # (passage, impact) pairs: the loop unpacks them
        if self._held >= SCALED_MEMO:
            self._scaled.clear()
            self._held = 0
        self._scaled[term, factor] = scaled
        self._held += len(scaled) + 1
        return scaled


@dataclass
class PlainIndex:
    words: PlainChannel
    bigrams: PlainChannel
    terms: frozenset[str] = frozenset()  # corpus terms added to the tokenizer when this index was built
    bigram_weight: float = 0.5

    @property
    def size(self) -> int:
        return self.words.n_docs

    def score(self, words: dict[str, float], grams: dict[str, float]) -> array:
        """Words, then bigrams times ``bigram_weight``, each in the query's order (float32 scores)."""
        scores = array("f", bytes(4 * self.size))  # zeros
        if _scoring is not None and self.size:
            for channel, terms, scale in (
                (self.words, words, 1.0),
                (self.bigrams, grams, self.bigram_weight),
            ):
                if spans := channel.spans(terms.items(), scale):
                    _scoring.accumulate(scores, channel.ids, channel.impacts, _NO_ROWS, spans)
            return scores
        self.words.add_to(scores, words.items())
        self.bigrams.add_to(scores, grams.items(), self.bigram_weight)
        return scores

    def best(self, words: dict[str, float], grams: dict[str, float], k: int) -> list[tuple[int, float]]:
        return self.top(self.score(words, grams), k)

    @staticmethod
    def top(scores: Sequence[float], k: int) -> list[tuple[int, float]]:
        """The ``k`` best passages with a positive score, best first; among equal scores the lower id first."""
        if k <= 0:
            return []
        if _scoring is not None and isinstance(scores, array) and scores.typecode == "f":
            return _scoring.top(scores, k)
        # A stable sort in reverse keeps equal scores in ascending id order; zeros (and below) sort last.
        get = (scores.tolist() if isinstance(scores, array) else scores).__getitem__
        return [(i, s) for i in sorted(range(len(scores)), key=get, reverse=True)[:k] if (s := get(i)) > 0]


def build_index(
    texts: Sequence[str],
    words: Callable[[str], list[str]],
    grams: Callable[[str], list[str]],
    terms: frozenset[str] = frozenset(),
) -> SearchIndex:
    """The index of ``texts`` (one per passage): plain below ``PLAIN_MAX_PASSAGES``, numpy's above."""
    if len(texts) < PLAIN_MAX_PASSAGES:
        return PlainIndex(PlainChannel.build(map(words, texts)), PlainChannel.build(map(grams, texts)), terms)
    from knowledge.index import Channel, Index  # numpy: imported only for a large corpus

    return Index(Channel.build(map(words, texts)), Channel.build(map(grams, texts)), terms=terms)
