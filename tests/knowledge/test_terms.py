"""The corpus' own quoted terms stay whole, and question phrases jieba keeps whole are not content."""

from __future__ import annotations

import pytest

import knowledge.base as kb_module
from knowledge import KnowledgeBase
from knowledge.base import shipped_corpus
from knowledge.segment import Segmenter, quoted_terms


def test_quoted_terms_are_found():
    assert quoted_terms(["探索推行党员“三先”制度，按照“五清”要求，“不忘初心、牢记使命”"]) == {"三先", "五清"}


def test_quoted_terms_of_the_speeches_stay_whole(kb):
    assert {"三先", "一联三帮", "首席服务官", "双强六好"} <= kb.index.terms
    assert "三先" in kb.segmenter.words("探索推行党员“三先”制度")
    assert kb.segmenter.is_domain_word("三先")


def test_a_fresh_segmenter_does_not_know_them():
    # The terms come from the corpus, not from a global tokenizer: a new Segmenter cuts 三先 apart.
    assert "三先" not in Segmenter().words("党员三先制度")


def test_question_phrases_are_not_content(kb):
    analyzed = kb.segmenter.analyze("小微企业的党建谁来管")
    assert "谁来管" not in analyzed.content
    assert "小微企业" in analyzed.content


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("党员发挥作用有什么三先制度", "先知道、先讨论、先行动"),
        ("小微企业的党建谁来管", "小微企业、个体工商户"),
        ("五清指的是哪五清", "出资人情况清"),
    ],
)
def test_answers_that_need_them(kb, question, phrase):
    hits = kb.search(question)
    assert hits and phrase in hits[0].text


def test_a_cached_knowledge_base_cuts_the_terms_as_its_index_did(tmp_path, monkeypatch):
    monkeypatch.setattr(kb_module, "CACHE_MIN_BYTES", 1)
    first = KnowledgeBase.from_files(shipped_corpus(), cache_dir=tmp_path)
    assert list(tmp_path.glob("kb-*.pickle"))
    monkeypatch.setattr(kb_module, "build_index", lambda *a, **k: pytest.fail("rebuilt despite the cache"))
    second = KnowledgeBase.from_files(shipped_corpus(), cache_dir=tmp_path)
    assert second.index.terms == first.index.terms
    assert "三先" in second.segmenter.words("党员三先制度")
    assert (
        second.search("党员发挥作用有什么三先制度")[0].text
        == first.search("党员发挥作用有什么三先制度")[0].text
    )


def test_a_speech_term_the_corpus_writes_as_a_phrase_weighs_the_mean_of_its_pairs():
    from knowledge.coverage import phrase_weight

    weights = {"组织": 0.2, "织章": 4.0, "章程": 3.8, "做法": 3.0}
    weight, known = weights.__getitem__, {"组织", "章程", "做法"}.__contains__
    assert phrase_weight("组织章程", weight, known) == pytest.approx((0.2 + 4.0 + 3.8) / 3)
    assert phrase_weight("做法", weight, known) == 3.0  # a word of the corpus: its own idf


def test_a_colloquial_word_the_corpus_lacks_weighs_what_its_speech_phrase_says(kb):
    # 公司章程 -> 组织章程 (the lexicon); the corpus writes 组织章程 but indexes 组织 and 章程.
    (term, *_) = [t for t in kb.rank("公司章程里能写党建吗").terms if "公司章程" in t.spellings]
    assert term.weight > kb.word_weight("组织") * 5
