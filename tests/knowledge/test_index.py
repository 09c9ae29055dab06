"""The BM25 index: dense rows and runs of sparse postings give exactly the scores of one scatter-add per term;
top-k of a large index is the exact top-k; postings loaded from a pickle keep numpy's own dtypes."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

import knowledge.index as ki
from knowledge.index import Channel, Index

VOCABULARY = [f"w{i}" for i in range(60)]


def _docs(n: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    # A few words in most passages (dense rows), the rest rare (postings).
    weights = [50 if i < 5 else 1 for i in range(len(VOCABULARY))]
    return [rng.choices(VOCABULARY, weights=weights, k=rng.randint(0, 30)) for _ in range(n)]


def _reference_scores(
    channel: Channel, docs: list[list[str]], terms: dict[str, float], scale: float
) -> np.ndarray:
    """One scatter-add per term in the query's order, from postings rebuilt without dense rows."""
    plain = _plain(docs)
    scores = np.zeros(channel.n_docs, dtype=np.float32)
    for term, weight in terms.items():
        if term in plain.offsets:
            start, end = plain.offsets[term]
            np.add.at(scores, plain.ids[start:end], plain.impacts[start:end] * np.float32(weight * scale))
    return scores


def _plain(docs: list[list[str]]) -> Channel:
    share, ki.DENSE_SHARE = ki.DENSE_SHARE, 2.0  # no term is in twice the passages: no dense row
    try:
        return Channel.build(docs)
    finally:
        ki.DENSE_SHARE = share


@pytest.fixture(params=["dense rows apart", "dense rows in the run"])
def dense_rows(request, monkeypatch):
    """Both ways of adding a dense row: a vector add after the run (a large index), or in the run (a small one)."""
    monkeypatch.setattr(ki, "_DENSE_IN_RUN_BELOW", 0 if request.param == "dense rows apart" else 10**9)
    return request.param


def test_dense_rows_and_runs_score_exactly_as_one_scatter_add_per_term(dense_rows):
    docs = _docs(400)
    channel = Channel.build(docs)
    assert channel.rows and channel.offsets  # both kinds are exercised
    plain = _plain(docs)
    assert channel.idf == plain.idf
    assert all(channel.df(t) == plain.df(t) for t in VOCABULARY)
    rng = random.Random(2)
    for _ in range(50):
        terms = {t: rng.choice([1.0, 0.5, 0.7]) for t in rng.sample(VOCABULARY + ["absent"], 12)}
        scores = np.zeros(channel.n_docs, dtype=np.float32)
        channel.accumulate(scores, terms.items(), 0.5)
        assert scores.tobytes() == _reference_scores(channel, docs, terms, 0.5).tobytes()


def test_an_index_scores_words_then_bigrams(dense_rows):
    words, grams = _docs(300, seed=3), _docs(300, seed=4)
    index = Index(Channel.build(words), Channel.build(grams))
    query_words, query_grams = {"w1": 1.0, "w30": 0.5}, {"w2": 1.0, "w40": 1.0}
    expected = _reference_scores(index.words, words, query_words, 1.0)
    plain = _plain(grams)  # the bigrams add to the words' scores, after them
    for term, weight in query_grams.items():
        start, end = plain.offsets.get(term, (0, 0))
        np.add.at(expected, plain.ids[start:end], plain.impacts[start:end] * np.float32(weight * 0.5))
    assert index.score(query_words, query_grams).tobytes() == expected.tobytes()


@pytest.mark.parametrize("n", [50, 5000, 40000])
def test_top_is_the_exact_top_k_best_first_lower_id_first_among_equals(n):
    rng = np.random.default_rng(n)
    scores = rng.integers(0, 40, n).astype(np.float32)  # many ties
    for k in (1, 3, 10, 50):
        ranked = Index.top(scores, k)
        positive = [i for i in range(n) if scores[i] > 0]
        expected = sorted(positive, key=lambda i: (-scores[i], i))[:k]
        if n < ki._EXACT_TOP_BELOW:  # small indexes keep argpartition's choice among ties at the k-th score
            assert [s for _, s in ranked] == [float(scores[i]) for i in expected]
        else:
            assert ranked == [(i, float(scores[i])) for i in expected]
    assert Index.top(np.zeros(n, dtype=np.float32), 5) == []


@pytest.mark.parametrize("n", [5000, 40003])
def test_top_finds_few_positive_scores_anywhere(n):
    """Fewer positive scores than k, some in the passages past the last whole row of ``_candidates``."""
    for positions in ([3, n - 1], [n - 2, n - 1], list(range(0, n, n // 7)), [n // 2] * 1):
        scores = np.zeros(n, dtype=np.float32)
        scores[positions] = np.arange(1, len(positions) + 1, dtype=np.float32)
        for k in (1, 3, 10):
            expected = sorted(set(positions), key=lambda i: (-scores[i], i))[:k]
            assert Index.top(scores, k) == [(i, float(scores[i])) for i in expected]


def test_postings_from_a_pickle_keep_numpys_own_dtypes():
    channel = pickle.loads(pickle.dumps(Channel.build(_docs(200)), protocol=pickle.HIGHEST_PROTOCOL))
    assert channel.ids.dtype is np.dtype(np.int32)
    assert channel.impacts.dtype is np.dtype(np.float32)
    assert channel.dense.dtype is np.dtype(np.float32)


def test_an_empty_corpus_builds_and_scores_nothing():
    index = Index(Channel.build([]), Channel.build([]))
    assert index.size == 0
    assert Index.top(index.score({"w1": 1.0}, {"w2": 1.0}), 3) == []
