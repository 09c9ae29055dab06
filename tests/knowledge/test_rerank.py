"""Re-ranking the best passages (``knowledge.rerank``): a word held as typed says more than a speech term for it."""

from __future__ import annotations

import pytest

from knowledge.coverage import Found, Term
from knowledge.rerank import AS_TYPED, as_typed, rerank

# 宣传 (the user's word) with 宣讲 as a speech term the lexicon gives for it; 渠道 as typed only.
TERMS = [Term(("宣传", "宣讲"), 3.0), Term(("渠道",), 1.0)]
TEXTS = {1: "组建党建宣讲团，通过多种渠道", 2: "广泛宣传非公企业党建，用好各类渠道", 3: "与此无关"}


def test_a_passage_that_holds_the_word_only_as_a_speech_term_loses_part_of_its_bonus():
    bonus = as_typed(TERMS, TEXTS, {1: 1.2, 2: 1.0})
    assert bonus[1] == pytest.approx(1.2 * (1 - AS_TYPED * 3.0 / 4.0))
    assert bonus[2] == 1.0 and 3 not in bonus


def test_nothing_changes_when_no_candidate_holds_the_word_as_typed():
    texts = {1: "组建党建宣讲团，通过多种渠道", 3: "与此无关"}
    assert as_typed(TERMS, texts, {1: 1.2}) == {1: 1.2}
    assert as_typed([], TEXTS, {1: 1.2}) == {1: 1.2}


def test_as_typed_turns_a_tie_of_coverage_into_an_order():
    found = {1: Found(4.0, 4.0, 0), 2: Found(4.0, 4.0, 0)}
    ranked = [(1, 10.0), (2, 9.5)]
    assert [i for i, _ in rerank(ranked, found)] == [1, 2]
    assert [i for i, _ in rerank(ranked, found, as_typed(TERMS, TEXTS, {}))] == [2, 1]


def test_the_speeches_answer_with_the_passage_that_uses_the_users_word(kb):
    # 星级评定 is also a speech term for 五星支部 (the lexicon); the passage that writes 星级评定 leads.
    assert "星级评定" in kb.search("星级评定是怎么回事")[0].text
