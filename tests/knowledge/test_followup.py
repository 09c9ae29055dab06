"""Which questions lean on the one before, and how they are read together."""

from __future__ import annotations

import pytest

from knowledge.followup import is_follow_up, original, with_context


@pytest.mark.parametrize(
    "text",
    [
        "那联合建呢？",
        "那么挂靠建呢",
        "具体怎么做",
        "怎么做呀",
        "有什么要求？",
        "还有别的形式吗",
        "经费呢",
        "为什么",
        "嗯，那挂靠建呢",
        # A bare follow-up ending in 呢 (review finding: these stood alone for a while).
        "为什么呢",
        "怎么做呢",
        "具体怎么做呢",
        "有什么要求呢",
    ],
)
def test_follow_ups(text: str) -> None:
    assert is_follow_up(text)


@pytest.mark.parametrize(
    "text",
    [
        "党员不足三人的企业怎样建立党组织",
        "主题党日多久开展一次",
        "我们公司想建党支部，需要满足什么条件",
        "谢谢",
        "",
        "那" * 40,
        # A short question with a topic of its own, or opened by a spoken filler, stands alone.
        "怎么宣传非公党建",
        "怎么找党员",
        "那个五星支部怎么评",
        "嗯那个党费怎么返还",
        "主题党日多久开一次呢",
        "五星支部怎么评呢",
    ],
)
def test_questions_that_stand_alone(text: str) -> None:
    assert not is_follow_up(text)


def test_read_together_lead_dropped_and_bounded() -> None:
    assert with_context("党员不足3人怎么建支部", "那联合建呢？") == "党员不足3人怎么建支部 → 联合建呢"
    assert len(with_context("问" * 600, "具体怎么做", 500)) == 500


def test_a_chain_of_follow_ups_leans_on_the_question_alone() -> None:
    stored = with_context("党员不足3人怎么建支部", "那联合建呢？")
    assert original(stored) == "党员不足3人怎么建支部"
    assert with_context(stored, "具体怎么做") == "党员不足3人怎么建支部 → 具体怎么做"


@pytest.mark.parametrize(
    ("previous", "follow_up", "asked"),
    [
        ("工资总额800万，党建经费能税前扣多少", "那1000万呢", "工资总额1000万，党建经费能税前扣多少"),
        ("我们只有两名正式党员，怎么建党组织", "那如果有5名呢", "我们只有5名正式党员，怎么建党组织"),
    ],
)
def test_a_number_of_its_own_replaces_the_previous_one(previous, follow_up, asked) -> None:
    assert original(with_context(previous, follow_up)) == asked


@pytest.mark.parametrize(
    ("previous", "follow_up", "count"),
    [
        ("工资总额800万，党建经费能税前扣多少", "那1000万呢", "10万元"),
        ("我们只有两名正式党员，怎么建党组织", "那如果有5名呢", "5名"),
    ],
)
def test_the_rules_read_the_follow_ups_number(kb, previous, follow_up, count) -> None:
    rule = kb.ask(with_context(previous, follow_up)).rule
    assert rule is not None and count in rule.conclusion
