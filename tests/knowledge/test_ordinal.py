"""A question that names a part of a speech by number gets that part (knowledge/ordinal.py). Made-up questions."""

from __future__ import annotations

import pytest

from knowledge.ordinal import ordinal


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("五项行动的第四项讲的啥", 4),
        ("推进会讲话第二部分说了什么", 2),
        ("第3个行动是什么", 3),
        ("讲话最后一部分讲的什么", -1),  # the last numbered part
        ("五项行动最后一项是啥", -1),
        ("开会最后一项议程", None),
        ("开会的时候第一项学什么", None),  # a meeting's agenda, not the speech's outline
        ("我们是第一个建支部的企业", None),
        ("第一书记能不能兼任", None),
    ],
)
def test_the_number_of_a_part(question, number):
    assert ordinal(question) == number


def test_the_numbered_action_of_the_speech_that_has_them(kb):
    answer = kb.ask("五项行动的第四项讲的啥")
    assert answer.answered
    assert answer.hits[0].section.startswith("四、实施企业文化培育塑造行动")


def test_a_part_only_one_speech_has(kb):
    answer = kb.ask("讲话第六部分主要讲什么")
    assert answer.answered  # never refused: at least the closest passage
    assert answer.hits[0].section.startswith("六、")


def test_the_last_part(kb):
    answer = kb.ask("五项行动那篇讲话最后一部分讲的是啥")
    assert answer.answered
    assert answer.hits[0].section.startswith("六、强化组织保障")


def test_a_numbered_action_is_looked_for_among_actions(kb):
    """Both speeches have a part one; only one calls its parts 行动."""
    answer = kb.ask("第一项行动讲的什么")
    assert answer.answered
    assert answer.hits[0].section.startswith("一、实施企业家政治引领行动")


@pytest.mark.parametrize(
    ("question", "confidence"),
    [
        ("五项行动的第三项讲的啥", "high"),  # only one speech has numbered actions
        ("第六部分讲什么", "high"),  # only one speech has a sixth part
        ("第一部分讲什么", "low"),  # both speeches have a first part: the pick may be the other speech's
    ],
)
def test_a_part_is_sure_only_when_one_speech_has_it(kb, question, confidence):
    answer = kb.ask(question)
    assert answer.answered
    assert answer.hits[0].confidence == confidence
