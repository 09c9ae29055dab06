"""A BM25 inverted index over two channels (jieba words and character bigrams), scored with numpy.

Postings are stored column-wise (one array of passage ids and one of precomputed BM25 impacts per channel, with
an offset table per term), so a query costs one vectorised add per query term and one partial sort.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.75


@dataclass
class Channel:
    """One field's postings: ``offsets[term] = (start, end)`` into ``ids``/``impacts``."""

    offsets: dict[str, tuple[int, int]]
    ids: np.ndarray  # int32
    impacts: np.ndarray  # float32, BM25 contribution of the term to the passage
    idf: dict[str, float]
    n_docs: int

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> Channel:
        n = len(docs)
        lengths = np.fromiter((len(d) for d in docs), dtype=np.float64, count=n)
        avgdl = float(lengths.mean()) if n and lengths.sum() else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc_id, terms in enumerate(docs):
            for term, tf in Counter(terms).items():
                postings.setdefault(term, []).append((doc_id, tf))
        total = sum(len(p) for p in postings.values())
        ids = np.empty(total, dtype=np.int32)
        impacts = np.empty(total, dtype=np.float32)
        offsets: dict[str, tuple[int, int]] = {}
        idf: dict[str, float] = {}
        norm = k1 * (1 - b + b * lengths / avgdl)
        pos = 0
        for term, plist in postings.items():
            df = len(plist)
            term_idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            doc_ids = np.fromiter((d for d, _ in plist), dtype=np.int32, count=df)
            tfs = np.fromiter((t for _, t in plist), dtype=np.float64, count=df)
            ids[pos : pos + df] = doc_ids
            impacts[pos : pos + df] = term_idf * tfs * (k1 + 1) / (tfs + norm[doc_ids])
            offsets[term] = (pos, pos + df)
            idf[term] = term_idf
            pos += df
        return cls(offsets=offsets, ids=ids, impacts=impacts, idf=idf, n_docs=n)

    def df(self, term: str) -> int:
        span = self.offsets.get(term)
        return span[1] - span[0] if span else 0

    def max_idf(self) -> float:
        return math.log(1 + (self.n_docs + 0.5) / 0.5)

    def accumulate(self, scores: np.ndarray, terms: Iterable[tuple[str, float]], scale: float = 1.0) -> None:
        for term, weight in terms:
            span = self.offsets.get(term)
            if span is None:
                continue
            start, end = span
            scores[self.ids[start:end]] += self.impacts[start:end] * np.float32(weight * scale)


@dataclass
class Index:
    words: Channel
    bigrams: Channel
    bigram_weight: float = 0.5

    @property
    def size(self) -> int:
        return self.words.n_docs

    def score(self, words: dict[str, float], grams: dict[str, float]) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float32)
        self.words.accumulate(scores, words.items())
        self.bigrams.accumulate(scores, grams.items(), self.bigram_weight)
        return scores

    @staticmethod
    def top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(scores))
        if k <= 0:
            return []
        candidates = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        ranked = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), i))
        return [(i, float(scores[i])) for i in ranked if scores[i] > 0]
