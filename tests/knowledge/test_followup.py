"""Which questions lean on the one before, and how they are read together."""

from __future__ import annotations

import pytest

from knowledge.followup import (
    asked,
    in_place,
    is_follow_up,
    names_nothing,
    original,
    subject_only,
    with_context,
)


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
        # Asking for more, or who (helper-67's review: these stood alone and were refused).
        "能再详细点吗",
        "具体点",
        "谁负责",
        "找谁",
        # Made of words that name no topic (helper-73's review: refused, or answered alone of another activity).
        "能扣多少",
        "谁来发",
        "一年几次",
        "都有哪些内容",
        "比例是多少",
        "由谁组织",
        "多少钱一个月",
        # An item of the list just asked, by its place.
        "第三项是什么",
        "第二个具体做什么",
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
        "开会的目的说一下",
        "有补贴吗",
        "党费怎么交",
        "第一书记是谁",
        "第一议题学什么",
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


def test_what_the_user_asked_of_a_stored_follow_up() -> None:
    """A later follow-up says which question it followed: the one the user sent, not the stem it was read with
    (helper-95's review: "观摩交流多久一次" -> "谁来组织" -> "具体怎么做" quoted "观摩交流")."""
    assert asked("观摩交流 → 谁来组织") == "谁来组织"
    assert asked("党课每月搞几次") == "党课每月搞几次"


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


@pytest.mark.parametrize(
    ("previous", "follow_up", "asked"),
    [
        ("主题党日每月搞几次", "那党课呢？", "党课每月搞几次"),
        ("观摩交流多久一次", "党员大会呢", "党员大会多久一次"),
        # The subject of the last clause that has one; of "X的Y", X; of a clause of nouns, its first word.
        ("我们公司想建党支部，需要满足什么条件", "那社会组织呢", "社会组织想建党支部，需要满足什么条件"),
        ("我们是一家50人的企业，主题党日每月搞几次？", "那党课呢", "我们是一家50人的企业，党课每月搞几次？"),
        ("支部书记的补贴有多少", "那党建指导员呢", "党建指导员的补贴有多少"),
        ("党建工作经费税前扣除比例", "那党费呢", "党费税前扣除比例"),
        ("请问主题党日要拍照吗", "党课呢", "请问党课要拍照吗"),
    ],
)
def test_a_follow_up_naming_a_subject_asks_the_question_before_of_it(kb, previous, follow_up, asked) -> None:
    assert in_place(previous, follow_up, kb.segmenter.cut) == asked


@pytest.mark.parametrize(
    ("previous", "follow_up"),
    [
        ("主题党日每月搞几次", "具体怎么做"),  # no subject of its own
        ("主题党日每月搞几次", "那要拍照吗"),  # asks something of its own
        ("每月都要开主题党日吗", "党课呢"),  # the question before opens with no subject
        ("主题党日每月搞几次", "主题党日呢"),  # the same subject
    ],
)
def test_no_subject_to_put_in_place(kb, previous, follow_up) -> None:
    assert in_place(previous, follow_up, kb.segmenter.cut) is None


def test_subject_only() -> None:
    assert subject_only("那党课呢？") == "党课"
    assert subject_only("嗯，那挂靠建呢") == "挂靠建"
    assert subject_only("那要拍照吗") is None


def test_a_follow_up_that_names_nothing_leans_on_the_question_before_even_when_sure_alone(kb) -> None:
    """helper-70's review: 多久一次 after 党课多久上一次 was answered alone, confidently, of 观摩交流."""
    from handlers.services.qa import leans

    assert names_nothing("多久一次") and names_nothing("那多久一次呢") and names_nothing("具体怎么做")
    assert not names_nothing("那联合建呢？") and not names_nothing("主题党日多久开一次")
    assert leans("多久一次", kb.ask("多久一次"))
    alone = kb.ask("那联合建呢？")
    assert alone.confidence == "high" and not leans("那联合建呢？", alone)
    rule = kb.ask(with_context("党课多久上一次", "多久一次")).rule
    assert rule is not None and "党课" in rule.conclusion
