"""Past questions as a field of each passage (``knowledge.asked``)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from bench import asked as asked_tool
from knowledge.answer import Ranking
from knowledge.asked import (
    FLOOR,
    MIN_IDF,
    MIN_SHARE,
    WEIGHT,
    AskedField,
    build,
    descending,
    question_grams,
    rows,
)
from knowledge.coverage import Found
from knowledge.segment import AnalyzedQuery
from knowledge.types import Passage

DATA = Path(__file__).resolve().parents[1] / "data"


def _naive(counts: dict[int, Counter], grams: set[str]) -> dict[int, float]:
    """BM25 over the question fields, written out plainly."""
    lengths = {p: sum(c.values()) for p, c in counts.items()}
    average = sum(lengths.values()) / len(lengths)
    n = len(counts)
    out: dict[int, float] = {}
    for gram in grams:
        having = [p for p, c in counts.items() if gram in c]
        if not having or len(gram) != 2:
            continue
        idf = math.log(1 + (n - len(having) + 0.5) / (len(having) + 0.5))
        if idf < MIN_IDF:
            continue
        for p in having:
            tf = counts[p][gram]
            out[p] = out.get(p, 0.0) + idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * lengths[p] / average))
    return out


def test_the_compact_field_scores_as_plain_bm25_over_the_questions() -> None:
    counts = {
        0: Counter(question_grams("开会要学什么")) + Counter(question_grams("开会学啥")),
        3: Counter(question_grams("活动室怎么建")) + Counter(question_grams("ab活动室")),
        7: Counter(question_grams("书记补贴多少")),
    }
    field = AskedField(counts)
    for question in ("开会学什么", "活动室ab", "书记开会", "天气怎么样", ""):
        got = field.scores(question)
        want = _naive(counts, question_grams(question))
        assert got.keys() == want.keys(), question
        for p in want:
            assert got[p] == pytest.approx(want[p], rel=1e-6), (question, p)  # weights kept as float32
    assert field.scores("天气") == {}
    assert field.scores("学") == {}


def test_a_bigram_in_most_passages_questions_is_left_out() -> None:
    own = ["甲乙", "丙丁", "戊己", "庚辛", "壬癸", "子丑"]
    counts = {p: Counter(["什么", word]) for p, word in enumerate(own)}
    field = AskedField(counts)
    assert field.scores("什么") == {}
    assert set(field.scores("庚辛")) == {3}
    assert len(field) == 6


def test_a_gram_is_matched_whole_never_across_two_keys() -> None:
    # "会学" is not a key, though "开会" + "学啥" sit side by side in the keys' text.
    field = AskedField({0: Counter(["开会", "学啥"]), 1: Counter(["别的"])})
    assert field.scores("会学") == {}
    assert set(field.scores("开会")) == {0}


def _passages() -> list[Passage]:
    return [
        Passage(0, "每月开展一次主题党日活动。", "讲话甲", ("一、组织生活",), "000_a.txt"),
        Passage(1, "建设六有党员活动阵地。", "讲话甲", ("二、阵地",), "000_a.txt"),
        Passage(2, "建设六有党员活动阵地，别处也有。", "另一份", (), "extra.txt"),
    ]


def test_questions_attach_to_the_passages_of_their_phrases_in_the_shipped_speeches_only() -> None:
    questions = [
        {"q": "活动室要有啥", "expect": ["六有党员活动阵地"]},
        {"q": "每个月开会几次", "expect": ["主题党日"]},
        {"q": "标题里的", "expect": ["组织生活"]},  # a heading counts as shown
        {"q": "没有出处", "expect": ["讲话里没有的句子"]},
    ]
    field = build(questions, _passages(), lambda p: p.doc.startswith("000_"))
    scores = field.scores("活动室")
    assert set(scores) == {1}  # not the extra corpus' passage 2, which holds the phrase too
    assert set(field.scores("开会")) == {0}
    assert set(field.scores("标题")) == {0}
    assert field.scores("出处") == {}
    assert len(build(questions, _passages(), lambda p: False)) == 0


def _field(asked_about: int) -> AskedField:
    """A field where passage ``asked_about`` was asked 活动室要有啥, and others other things."""
    others = ("天气预报", "午饭吃啥", "怎么请假", "停车收费")
    counts = {10 + n: Counter(question_grams(q)) for n, q in enumerate(others)}
    counts[asked_about] = Counter(question_grams("活动室要有啥"))
    return AskedField(counts, owned=range(4))


def test_a_question_is_filed_under_the_sentence_that_holds_its_phrase() -> None:
    passages = [
        Passage(0, "第一句讲组织。第二句讲每月开展一次主题党日。第三句讲别的。", "讲话甲", (), "000_a.txt"),
        Passage(1, "另一段，只有一句话讲阵地建设。", "讲话甲", (), "000_a.txt"),
    ]
    questions = [
        {"q": "每个月开会几次", "expect": ["每月开展一次主题党日"]},
        {"q": "阵地怎么弄", "expect": ["讲阵地建设"]},
        {"q": "跨两句的", "expect": ["讲组织。第二句"]},  # in the passage, in no one sentence
    ]
    past = build(questions, passages, lambda p: True)
    assert past.sentence_scores("开会几次", 0) == {1: pytest.approx(past.sentences.scores("开会几次")[1])}
    assert past.sentence_scores("开会几次", 1) == {}
    assert set(past.sentence_scores("阵地", 1)) == {0} and past.sentence_scores("阵地", 0) == {}
    assert set(past.scores("两句")) == {0} and past.sentence_scores("两句", 0) == {}


def test_scores_between_reads_only_the_keys_in_range() -> None:
    counts = {
        key: Counter(question_grams(q))
        for key, q in ((3, "开会学习"), (1030, "开会几次"), (2050, "安排学习"))
    }
    field = AskedField(counts)
    whole = field.scores("开会学习几次安排")
    assert set(whole) == {3, 1030, 2050}
    assert field.scores_between("开会学习几次安排", 1024, 2048) == {1030: whole[1030]}
    assert field.scores_between("开会学习几次安排", 0, 4096) == whole
    assert field.scores_between("开会学习几次安排", 4, 1030) == {}


def test_past_questions_choose_the_key_sentence_among_close_ones() -> None:
    from knowledge.highlight import highlight

    first = "党组织每月开展一次活动，围绕企业生产经营中心工作确定主题。"
    second = "党组织每季度开展一次观摩交流活动，学习先进单位的经验做法。"
    text = first + second
    query = AnalyzedQuery(words={"党组织": 1.0}, bigrams={"党组": 1.0}, content=("党组织",))
    assert highlight(text, query, lambda w: 1.0) == first
    assert highlight(text, query, lambda w: 1.0, favoured={1: 2.0}) == second
    assert highlight(text, query, lambda w: 1.0, favoured={1: 2.0}, favour=0.0) == first


def test_reorder_puts_the_passage_asked_about_first_and_keeps_each_score() -> None:
    field = _field(1)
    ranked = [(0, 10.0), (1, 8.0), (2, 5.0)]
    out = field.reorder("活动室有啥", ranked, lambda i: 1.0, head=10)
    assert out == [(1, 8.0), (0, 10.0), (2, 5.0)]
    factor = (FLOOR + 1.0) ** WEIGHT
    assert 8.0 * factor > 10.0 * FLOOR**WEIGHT


def test_reorder_never_promotes_a_passage_that_holds_too_little_of_the_question() -> None:
    field = _field(1)
    ranked = [(0, 10.0), (1, 8.0)]
    share = {0: 1.0, 1: MIN_SHARE - 0.01}
    assert field.reorder("活动室有啥", ranked, share.__getitem__, head=10) == ranked


def test_reorder_leaves_the_ranking_alone_when_no_past_question_matches() -> None:
    field = _field(1)
    ranked = [(0, 10.0), (1, 8.0)]
    assert field.reorder("星期几了", ranked, lambda i: 1.0, head=10) == ranked
    assert field.reorder("活动室", ranked[:1], lambda i: 1.0, head=10) == ranked[:1]


def test_reorder_touches_only_the_head() -> None:
    field = _field(2)
    ranked = [(0, 10.0), (1, 8.0), (2, 5.0)]
    assert field.reorder("活动室有啥", ranked, lambda i: 1.0, head=2) == ranked


def test_reorder_leaves_a_passage_of_an_added_document_in_its_place() -> None:
    field = _field(1)
    ranked = [(0, 10.0), (7, 9.0), (1, 8.0), (2, 5.0)]  # 7: an added document's passage, nothing asked of it
    assert field.reorder("活动室有啥", ranked, lambda i: 1.0, head=10) == [
        (1, 8.0),
        (7, 9.0),
        (0, 10.0),
        (2, 5.0),
    ]
    ranked = [(7, 10.0), (0, 9.0), (1, 8.0)]
    assert field.reorder("活动室有啥", ranked, lambda i: 1.0, head=10)[0] == (7, 10.0)


def test_descending_scores_never_rise() -> None:
    assert descending([(1, 8.0), (0, 10.0), (2, 5.0)]) == [(1, 8.0), (0, 8.0), (2, 5.0)]
    assert descending([]) == []


def test_the_decision_reads_each_candidates_own_score() -> None:
    query = AnalyzedQuery(words={"阵地": 1.0}, bigrams={}, content=("阵地",))
    found = {1: Found(1.0, 1.0, 0), 0: Found(1.0, 1.0, 0)}
    ranking = Ranking("阵地", query, [(1, 8.0), (0, 8.0)], found=found, own={1: 8.0, 0: 10.0})
    evidence = ranking.evidence()
    assert (evidence.score, evidence.runner_up) == (8.0, 10.0)
    assert ranking.evidence(1).score == 10.0


def test_the_ranking_tells_the_field_model_only_of_the_candidates_the_field_speaks_for() -> None:
    query = AnalyzedQuery(words={"阵地": 1.0}, bigrams={}, content=("阵地",))
    found = {1: Found(1.0, 1.0, 0), 7: Found(1.0, 1.0, 0)}
    ranking = Ranking("阵地", query, [(1, 8.0), (7, 6.0)], found=found, asked={1: 4.0}, asked_best=8.0)
    assert (ranking.evidence().field_share, ranking.evidence().field_best) == (0.5, 8.0)
    assert ranking.evidence(1).field_share is None  # 7: a passage of an added document
    nothing = Ranking("阵地", query, [(1, 8.0)], found=found, asked={1: 0.0}, asked_best=0.0)
    assert nothing.evidence().field_share == 0.0


def test_without_past_questions_every_lead_is_judged_by_the_first_model(kb, monkeypatch) -> None:
    from knowledge.asked import PastQuestions

    assert kb.rank("支部开会学什么").evidence().field_share is not None
    monkeypatch.setattr(kb, "_asked", PastQuestions.empty())
    assert kb.rank("支部开会学什么").evidence().field_share is None


def _arrays(past) -> tuple:
    return past.passages.arrays(), past.sentences.arrays()


def test_the_field_is_read_back_from_its_cache(tmp_path, kb) -> None:
    from knowledge.asked import load

    shipped = {p.doc for p in kb.passages}
    first = load(kb.passages, lambda p: p.doc in shipped, tmp_path)
    assert len(list(tmp_path.glob("asked-*.pickle"))) == 1
    second = load(kb.passages, lambda p: p.doc in shipped, tmp_path)
    assert _arrays(second) == _arrays(first)
    for path in tmp_path.glob("asked-*.pickle"):
        path.write_bytes(b"junk")
    assert _arrays(load(kb.passages, lambda p: p.doc in shipped, tmp_path)) == _arrays(first)
    # Other passages (another corpus, or the speeches cut differently) are a different field.
    fewer = load(kb.passages[:10], lambda p: True, tmp_path)
    assert _arrays(fewer) != _arrays(first)
    assert len(list(tmp_path.glob("asked-*.pickle"))) == 2


def test_a_change_to_how_sentences_are_cut_builds_a_new_cache(tmp_path, monkeypatch, kb) -> None:
    """The sentence field's keys are sentence indexes as ``knowledge.highlight`` cuts them: its code is in the key."""
    from knowledge import asked as asked_module
    from knowledge import highlight

    edited = tmp_path / "highlight.py"
    edited.write_bytes(Path(highlight.__file__).read_bytes() + b"\n# changed\n")
    asked_module.load(kb.passages[:5], lambda p: True, tmp_path / "cache")
    monkeypatch.setattr(asked_module.highlight_module, "__file__", str(edited))
    asked_module.load(kb.passages[:5], lambda p: True, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("asked-*.pickle"))) == 2


def test_the_knowledge_base_uses_the_field_of_the_shipped_speeches(kb) -> None:
    assert len(kb.asked) > 1000
    shipped = {p.id for p in kb.passages}
    some = kb.asked.scores("开会学什么")
    assert some and set(some) <= shipped


def test_the_shipped_questions_are_the_tuning_halves_and_nothing_else() -> None:
    assert asked_tool.main(["--check"]) == 0, "run python -m bench.asked"
    shipped = {row["q"] for row in rows()}
    assert len(shipped) > 2000
    held_out: set[str] = set()
    for path in [*DATA.glob("qa*_valid.jsonl"), Path("/work/shared/eval/dev_questions.jsonl")]:
        if path.exists():
            held_out |= {
                json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line
            }
    tuning = set()
    for path in DATA.glob("qa*_tune.jsonl"):
        tuning |= {json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line}
    assert shipped <= tuning
    # A question also written, word for word, in a validation half is measured there: none may be shipped.
    assert not shipped & held_out


def test_prepare_builds_the_field_before_the_first_question(tmp_path, monkeypatch) -> None:
    from knowledge.base import KnowledgeBase

    monkeypatch.setenv("BRANCHBOT_CACHE_DIR", str(tmp_path))
    kb = KnowledgeBase.default()
    assert kb._asked is None
    kb.prepare()
    assert kb._asked is not None and len(kb._asked) > 1000
    assert list(tmp_path.glob("asked-*.pickle"))
