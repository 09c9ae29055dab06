"""Secretaries' words for the speeches' own (helper-88's review): 维权 is the speeches' 维护职工群众合法权益."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.default()


@pytest.mark.parametrize(
    "question", ["党组织要帮职工维权吗？", "职工维权党组织管不管", "员工权益保障党支部能做什么"]
)
def test_rights_in_everyday_words_find_the_passage(kb, question):
    answer = kb.ask(question)
    assert answer.hits and "维护职工群众合法权益" in answer.hits[0].text
