"""A BM25 inverted index over two channels (jieba words and character bigrams), scored with numpy.

Postings are stored column-wise (one array of passage ids and one of precomputed BM25 impacts per channel, with
an offset table per term), so a query costs one vectorised add per query term and one partial sort.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.5  # below the usual 0.75: short passages must not outrank the one that says it (measured, bench.retrieval)


@dataclass
class Channel:
    """One field's postings: ``offsets[term] = (start, end)`` into ``ids``/``impacts``."""

    offsets: dict[str, tuple[int, int]]
    ids: np.ndarray  # int32
    impacts: np.ndarray  # float32, BM25 contribution of the term to the passage
    idf: dict[str, float]
    n_docs: int

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], k1: float = K1, b: float = B) -> Channel:
        """Builds from an iterable of token lists, consumed one at a time (postings kept as compact arrays)."""
        term_ids: dict[str, int] = {}
        post_docs: list[array] = []
        post_tfs: list[array] = []
        lengths = array("I")
        for doc_id, terms in enumerate(docs):
            lengths.append(len(terms))
            for term, tf in Counter(terms).items():
                tid = term_ids.get(term)
                if tid is None:
                    tid = term_ids[term] = len(post_docs)
                    post_docs.append(array("i"))
                    post_tfs.append(array("H"))
                post_docs[tid].append(doc_id)
                post_tfs[tid].append(min(tf, 65535))
        n = len(lengths)
        dl = np.frombuffer(lengths, dtype=np.uint32).astype(np.float64) if n else np.zeros(0)
        avgdl = float(dl.mean()) if n and dl.sum() else 1.0
        norm = k1 * (1 - b + b * dl / avgdl)
        total = sum(len(p) for p in post_docs)
        ids = np.empty(total, dtype=np.int32)
        impacts = np.empty(total, dtype=np.float32)
        offsets: dict[str, tuple[int, int]] = {}
        idf: dict[str, float] = {}
        pos = 0
        for term, tid in term_ids.items():
            doc_ids = np.frombuffer(post_docs[tid], dtype=np.int32)
            tfs = np.frombuffer(post_tfs[tid], dtype=np.uint16).astype(np.float64)
            df = len(doc_ids)
            term_idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            ids[pos : pos + df] = doc_ids
            impacts[pos : pos + df] = term_idf * tfs * (k1 + 1) / (tfs + norm[doc_ids])
            offsets[term] = (pos, pos + df)
            idf[term] = term_idf
            pos += df
            post_docs[tid] = post_tfs[tid] = array("i")  # free as we go
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
    terms: frozenset[str] = frozenset()  # corpus terms added to the tokenizer when this index was built
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
