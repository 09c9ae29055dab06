"""rjieba stands in for jieba only where it cuts exactly as jieba does (knowledge/tokenizer.py).

The proof the project rule asks for: every passage of the corpus (the shipped speeches, and a synthetic corpus
recombined from their clauses as the benchmark builds it) and every query of tests/data/*.jsonl, the public dev
set and the tests' own strings, cut and cut_for_search, with the user dictionary and the corpus' quoted terms
added as ``KnowledgeBase`` adds them. Then the start-up check: any difference, a missing rjieba or another user
dictionary means jieba.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import tokenizer as tk
from knowledge.base import KnowledgeBase, shipped_corpus
from knowledge.ingest import read_documents
from knowledge.segment import Segmenter, normalize, quoted_terms

pytest.importorskip("rjieba")

TESTS = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = Path("/work/shared/eval/dev_questions.jsonl")  # outside the repository: used when present
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _queries() -> list[str]:
    files = sorted((TESTS / "data").glob("*.jsonl")) + ([DEV_QUESTIONS] if DEV_QUESTIONS.exists() else [])
    rows = [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines() if line.strip()]
    # A question set's "q"; a follow-up set's first question and follow-up (followups_blind.jsonl).
    queries = [row[key] for row in rows for key in ("q", "first", "follow") if key in row]
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        queries += [
            n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
    return sorted({q for q in queries if _CJK.search(q)})


def _passages(tmp_path_factory) -> list[str]:
    from bench.corpus import make_synthetic_corpus

    folder = tmp_path_factory.mktemp("synthetic")
    files = [*shipped_corpus(), *make_synthetic_corpus(folder, target_bytes=300_000, seed=7)]
    texts = []
    for doc in read_documents(files):
        for passage in doc.passages:
            texts.append(passage.text)
            if passage.headings:  # what the index cuts: the section heading with the passage
                texts.append(f"{passage.headings[0]}。{passage.text}")
    return texts


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[tk.Tokenizer, tk.Tokenizer, list[str]]:
    """jieba and rjieba segmenters' tokenizers, both with the corpus' quoted terms added, and the passages."""
    texts = _passages(tmp_path_factory)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(tk.ENV, "jieba")
        reference = Segmenter()
        mp.delenv(tk.ENV)
        fast = Segmenter()
    assert reference._tokenizer.name == "jieba"
    assert fast._tokenizer.name == "rjieba", "rjieba did not pass the start-up check"
    terms = quoted_terms(texts)
    assert terms  # the corpus does set terms in quotes
    for segmenter in (reference, fast):
        segmenter.add_words(terms)
    return reference._tokenizer, fast._tokenizer, texts


def _differences(reference: tk.Tokenizer, fast: tk.Tokenizer, texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        for mode in tk.MODES:
            expected = getattr(reference, mode)(text, HMM=False)
            got = getattr(fast, mode)(text, HMM=False)
            if got != expected:
                out.append(f"{mode}({text[:30]!r}): {got} != {expected}")
    return out


def test_every_passage_is_cut_as_jieba_cuts_it(pair):
    reference, fast, texts = pair
    assert len(texts) > 500
    for variant in (texts, [normalize(t) for t in texts]):
        assert _differences(reference, fast, variant) == []


def test_every_query_is_cut_as_jieba_cuts_it(pair):
    reference, fast, _ = pair
    queries = _queries()
    assert len(queries) > 300
    assert _differences(reference, fast, queries + [normalize(q) for q in queries]) == []


def test_the_whole_analysis_and_index_are_the_same(pair, monkeypatch):
    """Beyond tokens: the same passages, postings and answers from both tokenizers."""
    monkeypatch.delenv("BRANCHBOT_KB_DIR", raising=False)
    monkeypatch.setenv(tk.ENV, "jieba")
    slow = KnowledgeBase.default()
    monkeypatch.delenv(tk.ENV)
    fast = KnowledgeBase.default()
    assert fast.segmenter._tokenizer.name == "rjieba"
    for name in ("words", "bigrams"):
        a, b = getattr(slow.index, name), getattr(fast.index, name)
        assert a.idf == b.idf and a.postings == b.postings
    for query in _queries()[:400]:
        assert fast.analyze(query) == slow.analyze(query), query
        assert fast.ask(query).as_dict() == slow.ask(query).as_dict(), query


@pytest.fixture(scope="module")
def small(pair) -> tk.Tokenizer:
    """rjieba built from jieba's dict.txt (``small_dictionary``, as ``branchbot run`` builds it), quoted terms
    added."""
    _, _, texts = pair
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(tk.ENV, raising=False)
        with tk.small_dictionary():
            segmenter = Segmenter()
    tokenizer = segmenter._tokenizer
    assert tokenizer.name == "rjieba", "the small dictionary did not pass the start-up check"
    assert tokenizer.dictionary == tk.jieba_dictionary() is not None
    segmenter.add_words(quoted_terms(texts))
    return tokenizer


def test_the_small_dictionary_cuts_every_passage_and_query_as_jieba(pair, small):
    reference, _, texts = pair
    queries = _queries()
    texts = texts + [normalize(t) for t in texts] + queries + [normalize(q) for q in queries]
    assert _differences(reference, small, texts + ODD_TEXT) == []


def test_the_small_dictionary_is_only_where_asked(pair):
    _, fast, _ = pair
    assert fast.dictionary is None
    with tk.small_dictionary():
        pass
    assert tk.make_tokenizer(tk._data_path("userdict.txt")).dictionary is None


ODD_TEXT = [
    "",
    " ",
    "   \n\t  \r\n\r",
    "？！。，、…?!.,;:",
    "😀😀🎉党费🙏",
    "<b>党费</b>怎么交",
    "党费\x00\x07\x1b怎么交\u200b",
    "\x00\x01\x02",
    "\ud800",
    "党费\ud800怎么交\udfff",
    "a\ud800b c\r\ud800\n",
    "a" * 5000,
    "党" * 3000,
    "e\u0301 ａｂｃ １２３ ﬁ Ⅻ",
    "ασδ кириллица עברית",
]


def test_odd_text_is_cut_as_jieba_cuts_it(pair):
    reference, fast, _ = pair
    assert _differences(reference, fast, ODD_TEXT) == []


def test_hmm_goes_to_jieba(pair):
    reference, fast, _ = pair
    text = "王小二在青橙驿站喝了杯咖啡"  # unknown words: jieba's HMM joins characters
    assert fast.cut(text, HMM=True) == reference.cut(text, HMM=True)
    assert fast.cut_for_search(text, HMM=True) == reference.cut_for_search(text, HMM=True)


# -- the start-up check ---------------------------------------------------------------------------------------


def test_the_reference_sample_is_jiebas_current_output():
    """After an edit of knowledge/data/userdict.txt: `python -m knowledge.tokenizer` rewrites the reference."""
    import jieba

    userdict = tk._data_path("userdict.txt")
    reference = tk.load_reference()
    assert reference is not None
    assert reference["userdict"] == tk.userdict_key(userdict), "stale: run python -m knowledge.tokenizer"
    assert reference["jieba"] == jieba.__version__
    assert tk.first_difference(tk.JiebaTokenizer(userdict), reference) is None


def test_a_difference_at_start_up_means_jieba(monkeypatch, caplog):
    reference = tk.load_reference()
    reference["cut"][0] = ["不", "一样"]
    monkeypatch.setattr(tk, "load_reference", lambda path=None: reference)
    with caplog.at_level(logging.WARNING, logger="knowledge.tokenizer"):
        assert tk.make_tokenizer(tk._data_path("userdict.txt")).name == "jieba"
    assert "rjieba cuts otherwise than jieba" in caplog.text


def test_no_rjieba_means_jieba(monkeypatch):
    def missing():
        raise ImportError("no rjieba")

    monkeypatch.setattr(tk, "_jieba_rs_class", missing)
    assert tk.make_tokenizer(tk._data_path("userdict.txt")).name == "jieba"


def test_a_stale_reference_means_jieba_and_a_warning(monkeypatch, caplog):
    reference = tk.load_reference()
    monkeypatch.setattr(tk, "load_reference", lambda path=None: {**reference, "userdict": "an older one"})
    with caplog.at_level(logging.WARNING, logger="knowledge.tokenizer"):
        assert tk.make_tokenizer(tk._data_path("userdict.txt")).name == "jieba"
    assert "python -m knowledge.tokenizer" in caplog.text


def test_another_user_dictionary_means_jieba(tmp_path: Path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("青橙驿站 2000 n\n", encoding="utf-8")
    tokenizer = tk.make_tokenizer(userdict)
    assert tokenizer.name == "jieba"
    assert "青橙驿站" in tokenizer.cut("建设青橙驿站")


def test_the_environment_can_force_jieba(monkeypatch):
    monkeypatch.setenv(tk.ENV, "jieba")
    assert tk.make_tokenizer(tk._data_path("userdict.txt")).name == "jieba"


def test_the_user_dictionary_is_read_as_jieba_reads_it(tmp_path: Path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("\ufeff两新组织 2000 n\n\n三先 1000\n五清 n\n  挂靠建  \n", encoding="utf-8")
    assert list(tk.userdict_entries(userdict)) == [
        ("两新组织", 2000, "n"),
        ("三先", 1000, None),
        ("五清", None, "n"),
        ("挂靠建", None, None),
    ]


def test_importing_builds_nothing():
    code = "import sys, knowledge.segment; print('jieba' in sys.modules, 'rjieba.rjieba' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=TESTS.parent
    ).stdout
    assert out.split() == ["False", "False"]


def test_a_fast_segmenter_does_not_import_jieba():
    code = (
        "import sys; from knowledge.base import KnowledgeBase; kb = KnowledgeBase.default(); "
        "kb.ask('党员不足三人的企业怎样建立党组织'); print(kb.segmenter._tokenizer.name, 'jieba' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHBOT_")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=TESTS.parent
    )
    assert out.stdout.split() == ["rjieba", "False"]
