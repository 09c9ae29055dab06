"""The numeric rules of the speeches on funds and joint organisations: the 1% of the payroll a company may deduct,
and how many units one joint organisation covers (forming a branch and the rest: ``test_rules``)."""

from __future__ import annotations

import pytest

from knowledge.rules import (
    PAYROLL_PHRASE,
    UNITS_PHRASE,
)
from tests.knowledge.test_rules import _assert_rule_leads


@pytest.mark.parametrize(
    ("query", "payroll", "deductible"),
    [
        ("工资总额800万，党建经费能税前扣多少", "800万元", "8万元"),
        ("工资总额1.5亿，党建经费能税前扣多少", None, "150万元"),
        ("工资总额是1200万元，党建经费税前能扣多少", "1200万元", "12万元"),
        ("职工工资总额是1200万元，党建经费可以税前列支多少", "1200万元", "12万元"),
        ("我们公司工资薪金总额为3000万元，党建工作经费税前扣除上限是多少", "3000万元", "30万元"),
        ("一年发工资500万，党建经费能抵税多少", "500万元", "5万元"),
        ("企业年工资总额50万元党建经费", "50万元", "5000元"),
        ("工资总额 800 万，党建经费税前能扣多少", "800万元", "8万元"),
        ("工资总额８００万，党建经费能扣多少", "800万元", "8万元"),
        ("工资总额5000元，党建经费能扣多少", "5000元", "50元"),
        ("工资800万税前扣除党建经费多少", "800万元", "8万元"),
    ],
)
def test_payroll_rule(kb, query, payroll, deductible):
    answer = _assert_rule_leads(kb, query, PAYROLL_PHRASE)
    conclusion = answer.rule.conclusion
    assert f"最多{deductible}" in conclusion
    if payroll:
        assert f"总额{payroll}" in conclusion
    assert "工资薪金总额1%" in answer.hits[0].text
    assert "税前扣除" in conclusion


def test_payroll_rule_example_from_the_brief(kb):
    answer = kb.ask("工资总额800万，党建经费能税前扣多少")
    assert "8万元" in answer.rule.conclusion
    assert "工资薪金总额1%" in answer.hits[0].text


def test_payroll_without_a_question_about_funds_is_no_rule(kb):
    assert kb.ask("工资总额800万元").rule is None
    assert kb.ask("工资总额800万的企业能建党组织吗").rule is None


@pytest.mark.parametrize(
    ("query", "deductible"),
    [("年工资总额两千万，党建经费能税前扣多少", "20万元"), ("工资总额八百万，党建经费税前能扣多少", "8万元")],
)
def test_payroll_in_chinese_numerals(kb, query, deductible):
    rule = kb.ask(query).rule
    assert rule is not None and f"最多{deductible}" in rule.conclusion


@pytest.mark.parametrize(
    ("query", "deductible"),
    [
        ("工资总额1千万，党建经费税前能扣多少", "10万元"),  # read as 1000元
        ("工资总额800多万，党建经费税前能扣多少", "8万元"),  # read as 800元
        ("工资总额1,000万，党建经费能扣多少", "10万元"),  # read as 1元
        ("工资总额2亿5千万，党建经费能扣多少", "250万元"),  # read as 2亿
    ],
)
def test_payroll_misread(kb, query, deductible):
    rule = kb.ask(query).rule
    assert rule is None or f"最多{deductible}" in rule.conclusion


@pytest.mark.parametrize(
    "query", ["党建经费不超过工资薪金总额1%是什么意思", "工资总额1%的党建经费能税前扣除吗"]
)
def test_the_one_percent_is_not_a_payroll(kb, query):
    rule = kb.ask(query).rule
    assert rule is None or "总额1元" not in rule.conclusion


def test_huge_payroll_does_not_raise(kb):
    kb.ask("工资总额" + "9" * 40 + "亿，党建经费能税前扣多少")


@pytest.mark.parametrize(
    ("query", "count", "within"),
    [
        ("联合党组织包括3个单位可以吗", 3, True),
        ("联合党组织覆盖五个单位行吗", 5, True),
        ("联合党组织包括6个单位可以吗", 6, False),
        ("我们想联合6家公司成立联合党组织", 6, False),
        ("联合党组织覆盖6家企业行吗", 6, False),
        ("我们联合了十个单位建党组织", 10, False),
    ],
)
def test_units_rule(kb, query, count, within):
    answer = _assert_rule_leads(kb, query, UNITS_PHRASE)
    conclusion = answer.rule.conclusion
    assert f"{count}个单位" in conclusion
    assert "不超过5个" in conclusion
    assert ("没有超过上限" in conclusion) is within
    assert ("超过了上限" in conclusion) is not within


@pytest.mark.parametrize("query", ["6家企业联合建立党组织可以吗", "七个单位能联合建一个党组织吗"])
def test_units_before_joint(kb, query):
    rule = kb.ask(query).rule
    assert rule is not None and "超过了上限" in rule.conclusion
