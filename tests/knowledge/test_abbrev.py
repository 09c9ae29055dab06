"""Shortened forms of the corpus' compounds (``knowledge.abbrev``)."""

from __future__ import annotations

from knowledge.abbrev import abbreviations, widen
from knowledge.segment import AnalyzedQuery


def test_a_dropped_middle_word_names_the_compound():
    table = abbreviations(["党建", "工作", "指导员", "党建工作指导员", "经费", "党建工作经费"])
    assert table["党建指导员"] == ("党建工作指导员",)
    assert table["党建经费"] == ("党建工作经费",)


def test_sides_must_be_words_and_short_compounds_are_left_alone():
    table = abbreviations(["党建", "指导员", "党建作指导员x", "支部书记", "支部", "书记"])
    assert "党建指导员" not in table  # 党建作指导员x: its end is not a word
    assert not any(len(v) < 5 for vs in table.values() for v in vs)


def test_widen_gives_the_compound_as_speech_terms_and_ranking_words():
    query = AnalyzedQuery(words={"党建指导员": 1.0}, bigrams={}, content=("党建指导员",))
    wide = widen(query, {"党建指导员": ("党建工作指导员",)})
    assert wide.expansions == {"党建指导员": ("党建工作指导员",)}
    assert wide.words["党建工作指导员"] == 1.0
    assert widen(query, {}) is query


def test_the_speech_that_writes_the_long_form_answers_the_short_one(kb):
    """The speech says 选派党建工作指导员 (from 乡镇、有关职能部门 ...); a question types 党建指导员."""
    answer = kb.ask("没建党组织的企业 党建指导员一般从哪些人里派")
    assert answer.hits and "选派党建工作指导员" in answer.hits[0].text
    assert answer.confidence == "high"
