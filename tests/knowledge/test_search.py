"""Retrieval over the shipped speeches: the dev set, hit invariants, reading passages (no answer and odd input:
``test_search_refusals``).

Building from extra folders and the cache: ``test_build``. The three outcomes (confident, tentative, none) and the
JSON contract: ``test_decide``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import knowledge.base as base_module
from knowledge.base import KnowledgeBase
from knowledge.coverage import Found
from knowledge.highlight import LIMIT
from knowledge.ingest import parse_document
from knowledge.segment import plain_text

TITLES = {
    "市委组织部长在全市“两新”组织党建工作推进会上的讲话",
    "在深入开展“强党建促发展五项行动”动员部署会上的讲话",
}
# The project's shared folder sits beside the work tree; BRANCHBOT_DEV_SET points elsewhere.
DEV_SET = Path(
    os.environ.get("BRANCHBOT_DEV_SET")
    or Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_questions.jsonl"
)

# Regression thresholds for the dev set (24 questions); measured: top-1 23, top-3 23, highlight 23. Top-3 was 24
# before issue 9: "企业文化建设中党组织怎么发挥作用" now ranks the passage that says 企业文化建设 and 党组织
# (“争当建设先进文化先锋”) above the one the dev set expects (“把党的理念厚植于企业文化”), which lacks 党组织.
MIN_TOP1 = 23
MIN_TOP3 = 23
MIN_HIGHLIGHT = 23

ON_TOPIC = [
    "党员不足三人的企业怎样建立党组织",
    "主题党日多久开一次",
    "五清是什么",
    "什么是双强六好",
    "老板不支持党建工作怎么办",
    "党组织书记有津贴吗",
    "三会一课怎么开",
    "1+6+X是什么",
    "能在网上交党费吗",
    "联合党组织最多覆盖几个单位",
    "企业关闭了党员怎么办",
    "我们只有两名正式党员",
    "工资总额800万，党建经费能税前扣多少",
]


def _dev_questions() -> list[dict]:
    if not DEV_SET.exists():
        return []
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def _assert_highlight_is_from(highlight: str, text: str) -> None:
    assert highlight
    assert len(highlight) <= LIMIT
    if highlight in text:
        return
    # A window cut out of a long sentence: "…" + piece + "…" (no leading "…" at the sentence start).
    assert highlight.endswith("…"), highlight
    piece = highlight.removeprefix("…").removesuffix("…")
    assert piece and piece in text, highlight


def _assert_well_formed(hits, k: int) -> None:
    assert len(hits) <= k
    assert len({h.passage_id for h in hits}) == len(hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for h in hits:
        assert h.source in TITLES
        assert h.section.strip()
        assert h.text.strip()
        assert h.score > 0
        _assert_highlight_is_from(h.highlight, h.text)


# -- the dev set ------------------------------------------------------------------------------------------


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"{DEV_SET} is missing")
def test_dev_set_regression(kb):
    questions = _dev_questions()
    assert len(questions) == 24
    top1 = top3 = in_highlight = 0
    misses = []
    for item in questions:
        hits = kb.search(item["q"])
        expected = item["expect"]
        first = hits[0] if hits else None
        ok1 = first is not None and any(e in first.text for e in expected)
        ok3 = any(e in h.text for h in hits for e in expected)
        okh = first is not None and any(e in first.highlight for e in expected)
        top1 += ok1
        top3 += ok3
        in_highlight += okh
        if not (ok1 and ok3 and okh):
            misses.append((item["q"], ok1, ok3, okh))
    assert top1 >= MIN_TOP1, misses
    assert top3 >= MIN_TOP3, misses
    assert in_highlight >= MIN_HIGHLIGHT, misses


@pytest.mark.parametrize("item", _dev_questions(), ids=lambda item: item["q"])
def test_dev_questions_are_answered_and_well_formed(kb, item):
    hits = kb.search(item["q"])
    assert hits
    _assert_well_formed(hits, 3)


# -- hits -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ON_TOPIC)
def test_hits_are_well_formed(kb, query):
    answer = kb.ask(query)
    assert answer.answered
    _assert_well_formed(answer.hits, 3)
    for h in answer.hits:
        passage = kb.passage(h.passage_id)
        assert passage is not None
        assert (passage.text, passage.source, passage.section) == (h.text, h.source, h.section)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_at_most_k_hits(kb, k):
    for query in ("党组织书记", "党费怎么交", "我们只有两名正式党员"):
        hits = kb.search(query, k=k)
        assert 1 <= len(hits) <= k
        _assert_well_formed(hits, k)


def test_more_hits_extend_fewer(kb):
    few = [h.passage_id for h in kb.search("党建经费有哪些来源", k=2)]
    many = [h.passage_id for h in kb.search("党建经费有哪些来源", k=5)]
    assert many[:2] == few


def test_long_sentence_highlight_is_a_window(kb):
    # No sentence of the shipped speeches exceeds the limit, so build one that does.
    filler = "，".join(f"第{i}条要求要落实到位" for i in range(60))
    sentence = filler[:300] + "，建设青橙驿站并定期开放，" + filler[300:] + "。"
    assert len(sentence) > 2 * LIMIT
    others = "\n".join(f"第{i}段讲的是别的工作。" for i in range(20))  # idf needs a few passages
    doc = parse_document(f"长句讲话\n同志们：\n一、长句\n{sentence}\n{others}\n", "long.txt")
    small = KnowledgeBase.from_documents([doc], kb.segmenter)
    (hit,) = small.search("青橙驿站是什么", k=1)
    assert hit.highlight.startswith("…") and hit.highlight.endswith("…")
    assert len(hit.highlight) <= LIMIT
    assert "青橙驿站" in hit.highlight
    _assert_highlight_is_from(hit.highlight, hit.text)


def test_short_key_sentence_takes_the_next_one(kb):
    from knowledge.highlight import highlight

    (first, *_) = kb.search("联合建和挂靠建")
    assert first.highlight in first.text
    # Past questions about this passage asked mostly what 联合建 is: with them its definition is quoted (stop 18).
    # Without them the heading-like first sentence, too short alone, is quoted with the sentence after it.
    assert "联合建" in first.highlight
    key = highlight(first.text, kb.analyze("联合建和挂靠建"), kb.word_weight)
    assert key.startswith("二是联合建、挂靠建查漏补缺。对职工中正式党员不足3名的")


def test_answer_as_dict(kb):
    answer = kb.ask("首席服务官是什么")
    data = answer.as_dict()
    assert data["query"] == "首席服务官是什么"
    assert data["answers"]
    first = data["answers"][0]
    assert set(first) == {"text", "highlight", "source", "section", "score", "confidence"}
    assert first["confidence"] == answer.confidence == "high"
    assert first["score"] == round(answer.hits[0].score, 4)
    assert "首席服务官" in first["text"]


def test_query_is_stripped(kb):
    assert kb.ask("  五清是什么  \n").query == "五清是什么"
    assert [h.passage_id for h in kb.search("  五清是什么 ")] == [
        h.passage_id for h in kb.search("五清是什么")
    ]


def test_definition_question_highlights_the_definition(kb):
    (first, *_) = kb.search("什么是五清")
    assert "“五清”（出资人情况清" in first.highlight


def test_a_short_statement_is_its_own_key_sentence():
    """A short sentence inside a passage that opens no item is whole (helper-73's review: the 挂靠建 sentence
    after it was shown too); a short item opening still takes the sentence after it."""
    from knowledge.highlight import highlight
    from knowledge.segment import AnalyzedQuery

    text = "二是联合建查漏补缺。联合建即成立联合党组织的方式方法。联合党组织覆盖单位数不超过5个。挂靠建即组织党员挂靠所在村。"
    query = AnalyzedQuery({"覆盖": 1.0}, {}, ("覆盖",))
    assert highlight(text, query, lambda w: 1.0) == "联合党组织覆盖单位数不超过5个。"
    opening = "一是单独组建实现应建尽建。对职工中正式党员3名以上的，单独组建党组织。"
    query = AnalyzedQuery({"单独组建": 1.0}, {}, ("单独组建",))
    assert highlight(opening, query, lambda w: 1.0) == opening


# -- reading ----------------------------------------------------------------------------------------------


def test_toc_lists_both_speeches_with_their_sections(kb):
    toc = {doc.title: [s.title for s in doc.sections] for doc in kb.toc()}
    assert set(toc) == TITLES
    assert toc["市委组织部长在全市“两新”组织党建工作推进会上的讲话"][0] == "开篇"
    assert (
        "五、切实强化组织保障，确保“两新”组织党建工作抓出成效"
        in toc["市委组织部长在全市“两新”组织党建工作推进会上的讲话"]
    )
    ids = [i for doc in kb.toc() for s in doc.sections for i in s.passage_ids]
    assert sorted(ids) == list(range(len(kb.passages)))


def test_passage_lookup(kb):
    assert kb.passage(-1) is None
    assert kb.passage(len(kb.passages)) is None
    assert kb.passage(0) is kb.passages[0]
    assert kb.find("不足3名") is not None
    assert kb.find("这句话不在讲话里") is None


def test_more_results_lead_with_the_same_answer(kb, monkeypatch):
    """其他相关内容 asks again with k=6: it must lead as the first answer (k=3) did, not dig deeper.

    Coverage is faked so that only the 7th-best passage (by BM25) contains the question: the re-ranking measures
    the same ``CANDIDATES`` passages for any k, so k=3 and k=6 lead with it alike.
    """
    question = "党组织书记可以当人大代表吗"
    analyzed = kb.segmenter.analyze(question)
    seventh = kb.index.top(kb.index.score(analyzed.words, analyzed.bigrams), 8)[6][0]
    covering = plain_text(KnowledgeBase._indexed_text(kb.passages[seventh]))

    def fake(terms, plain: str) -> Found:
        return Found(5.0, 5.0, 0) if plain == covering else Found(0.0, 5.0, 0)

    monkeypatch.setattr(base_module, "measure_plain", fake)
    first, more = kb.search(question, 3), kb.search(question, 6)
    assert first[0].passage_id == seventh
    assert [h.passage_id for h in first] == [h.passage_id for h in more[:3]]


@pytest.mark.parametrize("question", ["党组织书记可以当人大代表吗", "五清是什么", "活动室要有哪些东西"])
def test_more_hits_keep_the_order_of_fewer(kb, question):
    assert [h.passage_id for h in kb.search(question, 6)][:3] == [
        h.passage_id for h in kb.search(question, 3)
    ]
