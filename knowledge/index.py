"""A BM25 inverted index over two channels (jieba words and character bigrams), scored with numpy.

Postings are stored column-wise (one array of passage ids and one of precomputed BM25 impacts per channel, with
an offset table per term). A term found in at least a quarter of the passages is stored dense instead, a row
of impacts over all passages (0 where absent): adding a row is one SIMD pass, several times faster than
scattering its postings, and takes at most twice their memory. A query costs one scatter-add per run of
sparse terms, one vector add per dense term (in an index of a few thousand passages a dense row joins the run
instead), and a top k bounded by one pass of column maxima. At +10 MB most of it is ``np.add.at`` (~3 ns a
posting), which numpy offers no faster exact equivalent of: ``bincount`` sums in float64, and one fancy-index add
per term (``scores[ids] += impacts``, exact since a term's passages are distinct) measured 0.22 ms a query at +10
MB against 0.13 ms (a numpy call per term costs more than the scatter saves).

A corpus under ``knowledge.plain_index.PLAIN_MAX_PASSAGES`` passages (the shipped speeches) gets the plain-Python
index instead: the same scores, without importing numpy.

Each passage's float32 score is summed term by term in the query's order, whatever the storage, so scores are
exactly those of one scatter-add per term (adding the 0 of an absent term changes nothing).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.index_math import K1, B, count_postings, native_scoring

_scoring = native_scoring()  # the same loop in C, or None (the numpy path below)

DENSE_SHARE = 0.25  # a term in at least this share of the passages is stored as a dense row
_EXACT_TOP_BELOW = 4096  # below this many passages, top() partitions all scores (as it always did)
# Below this many passages a dense row is scattered with the postings around it: it costs less than
# scattering them before it (a few numpy calls of fixed cost).
_DENSE_IN_RUN_BELOW = 2048
_ROWS = 64  # above, top() bounds the k-th best score by the maxima of the scores seen as this many rows


@dataclass
class Channel:
    """One field's postings: ``offsets[term] = (start, end)`` into ``ids``/``impacts`` for a sparse term,
    ``rows[term]``, a row of ``dense``, for a term in at least ``DENSE_SHARE`` of the passages."""

    offsets: dict[str, tuple[int, int]]
    ids: np.ndarray  # int32
    impacts: np.ndarray  # float32, BM25 contribution of the term to the passage
    idf: dict[str, float]
    n_docs: int
    rows: dict[str, int] = field(default_factory=dict)
    dense: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))  # float32 rows

    def __post_init__(self) -> None:
        self.ids = _canonical(self.ids, np.int32)
        self.impacts = _canonical(self.impacts, np.float32)
        self.dense = _canonical(self.dense, np.float32)

    def __setstate__(self, state: dict) -> None:
        # Arrays unpickled from the cache carry their own copies of the dtypes, which send ``np.add.at`` down
        # a generic path about 20 times slower; views with numpy's own dtypes take the fast one.
        self.__dict__.update(state)
        self.__post_init__()

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], k1: float = K1, b: float = B) -> Channel:
        """Builds from an iterable of token lists, consumed one at a time (postings kept as compact arrays)."""
        terms, post_terms, post_docs, post_tfs, lengths = count_postings(docs)
        n = len(lengths)
        dl = np.frombuffer(lengths, dtype=np.uint32).astype(np.float64) if n else np.zeros(0)
        avgdl = float(dl.mean()) if n and dl.sum() else 1.0
        norm = k1 * (1 - b + b * dl / avgdl)
        # Postings grouped by term in first-seen order, passage ids ascending within a term (a stable sort).
        term_of = np.frombuffer(post_terms, dtype=np.int32)
        order = np.argsort(term_of, kind="stable")
        df = np.bincount(term_of, minlength=len(terms))
        del term_of, post_terms
        ids = np.frombuffer(post_docs, dtype=np.int32)[order]
        tfs = np.minimum(np.frombuffer(post_tfs, dtype=np.uint32)[order], 65535).astype(np.float64)
        del order, post_docs, post_tfs
        idf_values = [math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df.tolist()]
        term_idf = np.repeat(np.array(idf_values, dtype=np.float64), df)
        impacts = (term_idf * tfs * (k1 + 1) / (tfs + norm[ids])).astype(np.float32)
        del term_idf, tfs
        channel = cls(
            offsets={}, ids=ids, impacts=impacts, idf=dict(zip(terms, idf_values, strict=True)), n_docs=n
        )
        channel._split(terms, df)
        return channel

    def _split(self, terms: list[str], df: np.ndarray) -> None:
        """Moves the postings of the terms in at least ``DENSE_SHARE`` of the passages into dense rows."""
        is_dense = df >= max(1, math.ceil(DENSE_SHARE * self.n_docs))
        dense_terms = [t for t, d in zip(terms, is_dense.tolist(), strict=True) if d]
        self.rows = {t: r for r, t in enumerate(dense_terms)}
        self.dense = np.zeros((len(dense_terms), self.n_docs), dtype=np.float32)
        in_dense = np.repeat(is_dense, df)
        row_of = np.repeat(np.cumsum(is_dense) - 1, df)[in_dense]
        self.dense[row_of, self.ids[in_dense]] = self.impacts[in_dense]
        self.ids, self.impacts = self.ids[~in_dense], self.impacts[~in_dense]
        sparse_df = np.where(is_dense, 0, df)
        ends = np.cumsum(sparse_df)
        spans = zip((ends - sparse_df).tolist(), ends.tolist(), strict=True)
        self.offsets = {t: span for t, span, d in zip(terms, spans, is_dense.tolist(), strict=True) if not d}

    def df(self, term: str) -> int:
        row = self.rows.get(term)
        if row is not None:
            return int(np.count_nonzero(self.dense[row]))
        span = self.offsets.get(term)
        return span[1] - span[0] if span else 0

    def spans(self, terms: Iterable[tuple[str, float]], scale: float) -> list[tuple[int, int, float]]:
        """The query's terms for ``_scoring.accumulate``, in order: ``(start, end, factor)`` of a sparse term's
        postings, ``(-1, row, factor)`` for a dense term; a term the channel lacks is left out."""
        rows, offsets = self.rows, self.offsets
        out = []
        for term, weight in terms:
            row = rows.get(term)
            if row is not None:
                out.append((-1, row, weight * scale))
            elif (span := offsets.get(term)) is not None:
                out.append((span[0], span[1], weight * scale))
        return out

    def max_idf(self) -> float:
        return math.log(1 + (self.n_docs + 0.5) / 0.5)

    def accumulate(self, scores: np.ndarray, terms: Iterable[tuple[str, float]], scale: float = 1.0) -> None:
        """Adds each term's impacts times its weight to ``scores``, in the terms' order: a run of sparse terms
        as one scatter-add of their postings one after the other, a dense term as one vector add."""
        run: list[_Slice] = []
        self.collect(scores, terms, scale, run)
        _scatter(scores, run)

    def collect(
        self, scores: np.ndarray, terms: Iterable[tuple[str, float]], scale: float, run: list[_Slice]
    ) -> None:
        """``accumulate``, leaving the last run of postings in ``run`` for the caller to scatter. In a small
        index a dense row joins the run as postings of every passage (cheaper than scattering the run first)."""
        offsets, ids, impacts, rows, dense = self.offsets, self.ids, self.impacts, self.rows, self.dense
        every = np.arange(self.n_docs, dtype=np.intp) if self.n_docs < _DENSE_IN_RUN_BELOW else None
        for term, weight in terms:
            factor = weight * scale
            row = rows.get(term)
            if row is not None:
                if every is not None:
                    run.append((every, dense[row], factor))
                    continue
                _scatter(scores, run)
                if factor == 1.0:
                    np.add(scores, dense[row], out=scores)
                else:
                    scores += dense[row] * np.float32(factor)
                continue
            span = offsets.get(term)
            if span is not None:
                start, end = span
                run.append((ids[start:end], impacts[start:end], factor))


# Postings waiting to be scattered: passage ids, impacts, and the factor the impacts are multiplied by.
_Slice = tuple[np.ndarray, np.ndarray, float]


def _scatter(scores: np.ndarray, run: list[_Slice]) -> None:
    """One ``np.add.at`` over the run's postings, in order, each impact times its slice's factor as float32
    (``impacts * np.float32(factor)``); empties the run."""
    if not run:
        return
    if len(run) == 1:
        ids, values, factor = run[0]
        np.add.at(scores, ids, values if factor == 1.0 else values * np.float32(factor))
    else:
        # Passage ids as numpy's index type: the scatter-add then needs no cast (10-20% faster).
        ids = np.concatenate([i for i, _, _ in run], dtype=np.intp)
        values = np.concatenate([v for _, v, _ in run])
        if any(f != 1.0 for _, _, f in run):  # one multiplication for the run, not one per term
            factors = np.array([f for _, _, f in run], dtype=np.float32)
            np.multiply(values, np.repeat(factors, [len(i) for i, _, _ in run]), out=values)
        np.add.at(scores, ids, values)
    run.clear()


def _canonical(values: np.ndarray, dtype: type) -> np.ndarray:
    values = np.ascontiguousarray(values, dtype=dtype)
    return values if values.dtype is np.dtype(dtype) else values.view(np.dtype(dtype))


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
        """Words, then bigrams times ``bigram_weight``, each in the query's order; one run of sparse postings
        may span both channels."""
        scores = np.zeros(self.size, dtype=np.float32)
        if _scoring is not None and self.size:
            for channel, terms, scale in (
                (self.words, words, 1.0),
                (self.bigrams, grams, self.bigram_weight),
            ):
                spans = channel.spans(terms.items(), scale)
                if spans:
                    _scoring.accumulate(scores, channel.ids, channel.impacts, channel.dense, spans)
            return scores
        run: list[_Slice] = []
        self.words.collect(scores, words.items(), 1.0, run)
        self.bigrams.collect(scores, grams.items(), self.bigram_weight, run)
        _scatter(scores, run)
        return scores

    def best(self, words: dict[str, float], grams: dict[str, float], k: int) -> list[tuple[int, float]]:
        """The ``k`` best passages of a query: ``top(score(words, grams), k)``."""
        return self.top(self.score(words, grams), k)

    @staticmethod
    def top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` best passages with a positive score, best first; among equal scores the lower id first."""
        n = len(scores)
        k = min(k, n)
        if k <= 0:
            return []
        if _scoring is not None and scores.dtype == np.float32 and scores.flags.c_contiguous:
            return _scoring.top(scores, k)
        if n < _EXACT_TOP_BELOW:
            if k < n:  # every passage tied with the k-th stays, so that the lower ids win the ties
                kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
                candidates = np.flatnonzero(scores >= kth)
            else:
                candidates = np.arange(n)
            ranked = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), i))[:k]
        else:
            candidates = _candidates(scores, k)
            ranked = candidates[np.lexsort((candidates, -scores[candidates]))[:k]].tolist()
        return [(i, float(scores[i])) for i in ranked if scores[i] > 0]


def _candidates(scores: np.ndarray, k: int) -> np.ndarray:
    """The passages with a positive score at least the k-th best, found without partitioning all scores.

    The scores are seen as ``_ROWS`` rows of ``m`` columns (the last ``n % _ROWS`` passages aside): the k-th
    best of the columns' maxima is a lower bound of the k-th best score (k columns reach it), so only the
    columns whose maximum reaches it, and the passages aside, can hold the k best. One pass of vector maxima
    instead of a comparison and a gather over all scores.
    """
    n = len(scores)
    m = n // _ROWS
    whole = m * _ROWS
    maxima = scores[:whole].reshape(_ROWS, m).max(axis=0)
    bound = np.partition(maxima, m - k)[m - k] if m > k else 0
    if bound > 0:
        columns = np.flatnonzero(maxima >= bound)
        candidates = (columns[:, None] + np.arange(0, whole, m)).ravel()
        if whole < n:
            candidates = np.concatenate([candidates, np.arange(whole, n)])
    else:
        candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        values = scores[candidates]
        kth = values[np.argpartition(-values, k - 1)[k - 1]]
        candidates = candidates[values >= kth]  # all passages tied with the k-th stay, for the order by id
    return candidates
