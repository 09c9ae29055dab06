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


@pytest.mark.parametrize(
    ("question", "item"),
    [
        ("第二个先锋是什么", "二是争当凝聚职工群众先锋"),
        ("四个先锋的第四个", "四是争当促进健康发展先锋"),
        # A follow-up as the chat reads it, with the question before (helper-73's review: refused).
        ("四个先锋是哪四个 → 第三个", "三是争当建设先进文化先锋"),
    ],
)
def test_an_item_named_by_its_place_leads(kb, question, item):
    answer = kb.ask(question)
    assert answer.hits and answer.hits[0].highlight.startswith(item), answer.hits[:1]


@pytest.mark.parametrize(
    "question",
    ["党组织开会第一议题学什么", "私企党建第一位的任务是啥？", "三个规范化的第二个是什么", "第二个是什么"],
)
def test_no_item_without_a_numbered_list_named(kb, question):
    from knowledge.ordinal import item_choice

    ranking = kb.rank(question)
    assert item_choice(kb.passages, question, kb.analyze(question).content, ranking.ranked) is None
