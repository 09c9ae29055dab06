"""A phrase of the corpus that jieba cuts into characters is content of a question (knowledge/segment.py)."""

from __future__ import annotations

import pytest

from knowledge.segment import _written_runs


def test_runs_of_characters_the_corpus_writes_are_content():
    writes = {"抓点带面", "六好"}.__contains__
    assert _written_runs(["抓", "点", "带", "面"], writes) == ["抓点带面"]
    assert _written_runs(["六", "好", "具体", "是", "哪", "六", "好"], writes) == ["六好", "六好"]


def test_what_the_corpus_does_not_write_or_ties_words_is_not():
    assert _written_runs(["抓", "点", "带", "面"], lambda _: False) == []
    # A modal and a preposition (要按) are written in the speeches, but say nothing of the topic.
    assert _written_runs(["要", "按", "标准"], lambda _: True) == []
    assert _written_runs(["党建"], lambda _: True) == []  # a single word is content already


@pytest.mark.parametrize(("query", "phrase"), [("抓点带面", "抓点带面"), ("六好具体是哪六好", "双强六好")])
def test_a_question_in_the_speeches_own_phrase_is_answered(kb, query, phrase):
    answer = kb.ask(query)
    assert answer.hits, "refused"
    assert phrase in answer.hits[0].text
