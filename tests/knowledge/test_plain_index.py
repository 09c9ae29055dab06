"""The plain-Python index gives every passage numpy's float32 score (knowledge/plain_index.py)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

import knowledge.index as ki
import knowledge.plain_index as pi
from knowledge.index import Channel, Index
from knowledge.plain_index import PlainChannel, PlainIndex, build_index
from knowledge.segment import bigrams, normalize

DATA = Path(__file__).resolve().parents[1] / "data"
VOCABULARY = [f"w{i}" for i in range(60)]


def _docs(n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    weights = [50 if i < 5 else 1 for i in range(len(VOCABULARY))]  # a few words in most passages
    return [rng.choices(VOCABULARY, weights=weights, k=rng.randint(0, 30)) for _ in range(n)]


def _both(words: list[list[str]], grams: list[list[str]]) -> tuple[Index, PlainIndex]:
    return (
        Index(Channel.build(words), Channel.build(grams)),
        PlainIndex(PlainChannel.build(words), PlainChannel.build(grams)),
    )


@pytest.mark.parametrize("dense_in_run_below", [0, 10**9])
@pytest.mark.parametrize("seed", range(5))
def test_random_corpora_score_the_same(monkeypatch, seed, dense_in_run_below):
    monkeypatch.setattr(ki, "_DENSE_IN_RUN_BELOW", dense_in_run_below)  # both ways numpy adds a dense row
    rng = random.Random(seed)
    docs = _docs(rng.randint(1, 300), seed)
    numpy_index, plain = _both(docs, _docs(len(docs), seed + 100))
    assert plain.words.idf == numpy_index.words.idf and plain.size == numpy_index.size
    for _ in range(50):
        query = {w: rng.choice([1.0, 0.8, 0.35, 0.3]) for w in rng.sample(VOCABULARY, rng.randint(1, 8))}
        grams = {w: rng.choice([1.0, 0.6]) for w in rng.sample(VOCABULARY, rng.randint(0, 5))}
        expected = [float(s) for s in numpy_index.score(query, grams)]
        assert list(plain.score(query, grams)) == expected


def test_the_speeches_score_the_same_for_every_blind_question(kb):
    texts = [kb._indexed_text(p) for p in kb.passages]
    words = [kb.segmenter.words(t) for t in texts]
    numpy_index, plain = _both(words, [bigrams(normalize(t)) for t in texts])
    questions = [json.loads(line)["q"] for f in sorted(DATA.glob("qa*_in_scope.jsonl")) for line in f.open()]
    assert len(questions) > 2000
    for question in questions:
        analyzed = kb.analyze(question)
        expected = [float(s) for s in numpy_index.score(analyzed.words, analyzed.bigrams)]
        assert list(plain.score(analyzed.words, analyzed.bigrams)) == expected, question


def test_top_is_best_first_lower_id_first_among_equals():
    assert PlainIndex.top([0.0, 2.0, 1.0, 2.0, 0.5], 3) == [(1, 2.0), (3, 2.0), (2, 1.0)]
    assert PlainIndex.top([0.0, 0.0], 3) == []
    assert PlainIndex.top([1.0], 0) == []


def test_an_empty_corpus_builds_and_scores_nothing():
    plain = PlainIndex(PlainChannel.build([]), PlainChannel.build([]))
    assert plain.size == 0 and list(plain.score({"党员": 1.0}, {})) == []


def test_a_small_corpus_gets_the_plain_index_and_a_large_one_numpys(monkeypatch):
    texts = ["党员活动", "主题党日"]
    split = list  # one character per token
    assert isinstance(build_index(texts, split, split), PlainIndex)
    monkeypatch.setattr(pi, "PLAIN_MAX_PASSAGES", 2)
    assert isinstance(build_index(texts, split, split), Index)


def test_answering_from_the_speeches_never_imports_numpy():
    code = (
        "import sys\n"
        "from knowledge.base import KnowledgeBase\n"
        "kb = KnowledgeBase.default()\n"
        "assert kb.ask('党员不足三人的企业怎样建立党组织').hits\n"
        "print('numpy' in sys.modules)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "BRANCHBOT_TOKENIZER": "auto"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("n", [33, 5000])  # both ways numpy's top finds its candidates
def test_both_tops_break_ties_at_the_cut_by_the_lower_id(n):
    import numpy as np

    scores = np.zeros(n, dtype=np.float32)
    scores[[3, n - 3, n - 2]] = 2.0
    scores[[1, 2, 6, 7, 12, 22]] = 1.0  # six tied, two of them taken: the two lowest ids
    expected = [(3, 2.0), (n - 3, 2.0), (n - 2, 2.0), (1, 1.0), (2, 1.0)]
    assert Index.top(scores, 5) == expected
    assert PlainIndex.top(scores.tolist(), 5) == expected
