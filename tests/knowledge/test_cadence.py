"""How often the meetings of "三会一课" are held: the speeches set no number, and the answer says so."""

from __future__ import annotations

import pytest

from knowledge.activities import CATALOGUE
from knowledge.cadence import DUTY_PHRASE, asked_kinds
from knowledge.rules import apply_rules


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("党小组会多久开一次", ["党小组会"]),
        ("支委会每月都要开吗", ["支部委员会"]),
        ("支部委员会多久开一次", ["支部委员会"]),
        ("党课一年上几次", ["党课"]),
        ("支部一年至少要开几次党员大会？", ["党员大会"]),
        ("三会一课多久开一次", ["支部委员会", "党小组会", "党员大会", "党课"]),
        # 每月开吗 (helper-67's review: 党小组会每月开吗 had no note)
        ("党小组会每月开吗", ["党小组会"]),
        ("党课每季度讲一次吗", ["党课"]),
        ("党员大会每季度开不", ["党员大会"]),
    ],
)
def test_a_question_about_how_often_gets_the_catalogue_cadence_and_says_the_speeches_set_none(
    kb, query, names
):
    rule = apply_rules(query, kb)
    assert rule is not None and not rule.settled
    assert "没有规定" in rule.conclusion and "以上级党组织的要求为准" in rule.conclusion
    for kind in CATALOGUE:
        if kind.name in names:
            assert f"{kind.name}{kind.cadence.label}一次" in rule.conclusion
    assert DUTY_PHRASE in rule.phrase_sentence and DUTY_PHRASE in kb.passages[rule.passage_id].text


def test_the_answer_is_tentative_not_confident(kb):
    # The speeches do not settle it: the reply is the tentative one, its conclusion first.
    answer = kb.ask("党小组会一般多久开一次")
    assert answer.tentative and answer.rule is not None
    assert answer.hits[0].confidence == "low"
    assert answer.hits[0].passage_id == answer.rule.passage_id


@pytest.mark.parametrize(
    "query",
    [
        "党课讲什么内容",  # not how often
        "支部委员会任期几年？换届选举要提前多久请示？",  # how long before an election, not how often
        "手拉手共建的时候能一起开三会一课吗？一般多久一次",  # asks about joint meetings
        "主题党日多久开一次",  # the speeches state it: retrieval finds the sentence
        "观摩交流多久搞一次",
        "主题党日每月开吗",
        "党课每月讲什么吗",
    ],
)
def test_other_questions_are_left_to_retrieval(kb, query):
    rule = apply_rules(query, kb)
    assert rule is None or rule.settled


def test_how_often_needs_a_meeting_name():
    assert asked_kinds("多久开一次") == ()
    assert asked_kinds("党小组会在哪开") == ()
