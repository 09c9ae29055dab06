"""Answer types (knowledge/asks.py), sentence-level proximity (knowledge/proximity.py) and slips mended in the
whole path. The questions are made up for these tests; none is taken from tests/data."""

from __future__ import annotations

import pytest

from knowledge.asks import answer_missing, asks_procedure, asks_quantity, states_procedure, states_quantity
from knowledge.coverage import Term
from knowledge.proximity import WEIGHT, best_sentence_share, factor


@pytest.mark.parametrize("q", ["党费按工资的多少比例交", "年假能休几天", "多久开一次会", "每月要交百分之几"])
def test_a_question_that_asks_an_amount(q):
    assert asks_quantity(q)


@pytest.mark.parametrize("q", ["我们厂有几个骨干不是党员，要培养吗", "党建经费从哪来", "支部书记怎么选"])
def test_a_question_that_does_not(q):
    assert not asks_quantity(q)


@pytest.mark.parametrize(
    "text", ["每月开展一次主题党日", "覆盖单位不超过5个", "给予2万元奖励", "每市一院", "3名以上正式党员"]
)
def test_a_passage_that_states_an_amount(text):
    assert states_quantity(text)


def test_a_passage_that_states_none():
    assert not states_quantity("要加强党员教育管理，发挥先锋模范作用。")


@pytest.mark.parametrize(
    "q", ["预备党员转正要走哪些程序", "流动党员证去哪里办", "民主评议分几档", "补助怎么申请"]
)
def test_a_question_that_asks_a_procedure(q):
    assert asks_procedure(q)


@pytest.mark.parametrize("q", ["党组织书记怎么选", "联合建是什么意思", "主题党日多久一次"])
def test_a_question_that_asks_none(q):
    assert not asks_procedure(q)


def test_a_lead_without_the_procedure_asked_is_not_an_answer():
    named = "认真落实“三会一课”、组织生活会、民主评议党员等基本制度。"
    assert answer_missing("民主评议党员的等次有哪几档", named)
    assert not answer_missing(
        "书记解除劳动合同要走什么程序", "劳动合同变更、解除或终止的，应向上级党组织备案。"
    )
    assert states_procedure("应报上级党组织批准")
    assert not answer_missing("民主评议党员是什么", named)  # asks neither an amount nor a procedure
    assert not answer_missing("民主评议党员的等次有哪几档", None)


def _terms(*words: str) -> list[Term]:
    return [Term((w,), 1.0) for w in words]


def test_the_best_sentence_counts_not_the_passage():
    apart = "书记要选好。劳动合同要签。上级要备案。"
    together = "书记的劳动合同解除要向上级备案。其他事项另行规定。"
    terms = _terms("书记", "劳动合同", "上级")
    assert best_sentence_share(terms, apart) == pytest.approx(1 / 3)
    assert best_sentence_share(terms, together) == pytest.approx(1.0)
    assert factor(terms, together) == pytest.approx(1.0)
    assert factor(terms, apart) == pytest.approx(1 - WEIGHT + WEIGHT / 9)
    assert factor([], together) == pytest.approx(1 - WEIGHT)


def test_a_slip_reaches_the_right_passage(kb):
    answer = kb.ask("党员不足3人咋建支布")
    assert answer.answered
    assert "联合建" in answer.hits[0].text


def test_an_amount_the_lead_does_not_state_is_tentative(kb):
    answer = kb.ask("党费每月按收入的几成缴纳")
    assert answer.confidence == "low"
