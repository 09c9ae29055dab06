"""``knowledge._scoring``, the query loop in C: built wherever a C compiler is, and bit for bit the numpy path's
scores and top k (knowledge/_scoring.c); bad input raises, never crashes."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

import knowledge.index as ki
import knowledge.plain_index as pi
from knowledge.index import Channel, Index
from tests.knowledge.native import native_extension

DATA = Path(__file__).resolve().parents[1] / "data"
VOCABULARY = [f"w{i}" for i in range(80)]


def _docs(n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    weights = [60 if i < 6 else 1 for i in range(len(VOCABULARY))]  # a few words in most passages: dense rows
    return [rng.choices(VOCABULARY, weights=weights, k=rng.randint(0, 40)) for _ in range(n)]


def _numpy(monkeypatch, fn):
    with monkeypatch.context() as m:
        m.setattr(ki, "_scoring", None)
        return fn()


@pytest.fixture
def native():
    """The extension (a skip only where no C compiler could have built it: the numpy path serves there)."""
    return native_extension("_scoring")


def test_the_index_uses_the_extension(native):
    assert ki._scoring is native


@pytest.mark.parametrize(("n", "seed"), [(30, 1), (700, 2), (3000, 3), (9000, 4)])
def test_scores_and_top_are_numpys_bit_for_bit(monkeypatch, native, n, seed):
    index = Index(Channel.build(_docs(n, seed)), Channel.build(_docs(n, seed + 50)), bigram_weight=0.5)
    assert index.words.rows and index.words.offsets  # dense rows and postings both exercised
    rng = random.Random(seed)
    for _ in range(40):
        words = {
            w: rng.choice([1.0, 0.8, 0.35, 0.3, 0.7]) for w in rng.sample(VOCABULARY, rng.randint(0, 12))
        }
        grams = {w: rng.choice([1.0, 0.6]) for w in rng.sample(VOCABULARY + ["absent"], rng.randint(0, 8))}
        scores = index.score(words, grams)
        expected = _numpy(monkeypatch, lambda: index.score(words, grams))  # noqa: B023
        assert scores.tobytes() == expected.tobytes()
        for k in (1, 3, 10, n + 5):
            ranked = index.top(scores, k)
            positive = sorted((i for i in range(n) if scores[i] > 0), key=lambda i: (-scores[i], i))
            assert ranked == [(i, float(scores[i])) for i in positive[:k]]
            if n >= ki._EXACT_TOP_BELOW:  # numpy's small-index top may choose otherwise among ties at the cut
                assert ranked == _numpy(monkeypatch, lambda: index.top(scores, k))  # noqa: B023


@pytest.mark.parametrize("n", [1, 63, 64, 65, 5000, 40_001])
def test_top_in_every_order_and_with_ties(native, n):
    _scoring = native
    rng = np.random.default_rng(n)
    for scores in (
        rng.integers(0, 5, n).astype(np.float32),  # ties everywhere
        np.arange(n, dtype=np.float32),  # ascending: each block beats the last
        np.arange(n, 0, -1).astype(np.float32),
        np.zeros(n, dtype=np.float32),
    ):
        for k in (1, 3, 10, 100):
            positive = sorted((i for i in range(n) if scores[i] > 0), key=lambda i: (-scores[i], i))
            assert _scoring.top(scores, k) == [(i, float(scores[i])) for i in positive[:k]]
    assert _scoring.top(np.ones(n, dtype=np.float32), 0) == []


def test_bad_input_raises_and_never_writes_outside_the_scores(native):
    _scoring = native
    scores = np.zeros(4, dtype=np.float32)
    ids = np.array([0, 3, 9], dtype=np.int32)
    impacts = np.ones(3, dtype=np.float32)
    dense = np.ones((1, 4), dtype=np.float32)
    cases = [
        ((scores, ids, impacts, dense, [(0, 3, 1.0)]), IndexError),  # passage 9 of 4
        ((scores, ids, impacts, dense, [(0, 4, 1.0)]), IndexError),  # past the postings
        ((scores, ids, impacts, dense, [(2, 1, 1.0)]), IndexError),
        ((scores, ids, impacts, dense, [(-1, 1, 1.0)]), IndexError),  # dense row 1 of 1
        ((scores, ids, impacts, dense, [(0, 1)]), TypeError),
        ((scores, ids, impacts, dense, ["term"]), TypeError),
        ((scores, ids, impacts, dense, 5), TypeError),
        ((scores.astype(np.float64), ids, impacts, dense, []), TypeError),
        ((scores, ids.astype(np.int64), impacts, dense, []), TypeError),
        ((scores, ids, impacts[:2], dense, []), ValueError),
        ((scores, ids, impacts, np.ones((1, 3), dtype=np.float32), []), ValueError),
        ((scores[::2], ids, impacts, dense, []), (TypeError, ValueError, BufferError)),  # not contiguous
    ]
    for args, error in cases:
        with pytest.raises(error):
            _scoring.accumulate(*args)
    read_only = np.zeros(4, dtype=np.float32)
    read_only.flags.writeable = False
    with pytest.raises((TypeError, ValueError, BufferError)):
        _scoring.accumulate(read_only, ids, impacts, dense, [])
    scores[:] = 0  # the first case added passages 0 and 3 before it met passage 9
    _scoring.accumulate(scores, ids, impacts, dense, [(0, 2, 0.5), (-1, 0, 1.0)])
    assert scores.tolist() == [1.5, 1.0, 1.0, 1.5]
    with pytest.raises(TypeError):
        _scoring.top(np.zeros(3, dtype=np.float64), 2)


@pytest.mark.parametrize("seed", range(4))
def test_the_plain_index_scores_as_its_python_loop_bit_for_bit(monkeypatch, native, seed):
    """The speeches' index (no numpy) hands its packed arrays to the same loop."""
    rng = random.Random(seed)
    n = rng.randint(1, 119)
    index = pi.PlainIndex(pi.PlainChannel.build(_docs(n, seed)), pi.PlainChannel.build(_docs(n, seed + 9)))
    for _ in range(40):
        words = {w: rng.choice([1.0, 0.8, 0.35, 0.3]) for w in rng.sample(VOCABULARY, rng.randint(0, 10))}
        grams = {w: rng.choice([1.0, 0.6]) for w in rng.sample(VOCABULARY + ["absent"], rng.randint(0, 6))}
        scores = index.score(words, grams)
        with monkeypatch.context() as m:
            m.setattr(pi, "_scoring", None)
            expected = index.score(words, grams)
            assert scores.tobytes() == expected.tobytes()
            for k in (1, 3, 10):
                assert pi.PlainIndex.top(scores, k) == pi.PlainIndex.top(expected.tolist(), k)
        for k in (1, 3, 10):
            assert index.top(scores, k) == pi.PlainIndex.top(expected.tolist(), k)


def test_the_speeches_answer_the_same_without_the_extension(monkeypatch, native, kb):
    questions = [json.loads(line)["q"] for line in (DATA / "qa_tune.jsonl").open(encoding="utf-8")]
    assert isinstance(kb.index, pi.PlainIndex) and len(questions) > 100
    ranked = [kb.index.best(a.words, a.bigrams, 10) for a in map(kb.analyze, questions)]
    monkeypatch.setattr(pi, "_scoring", None)
    assert [kb.index.best(a.words, a.bigrams, 10) for a in map(kb.analyze, questions)] == ranked
