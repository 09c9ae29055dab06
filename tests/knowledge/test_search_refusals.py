"""Retrieval over the shipped speeches, what it refuses and survives: off-topic questions get no answer (or never a
confident one), odd input never raises (the answers themselves: ``test_search``)."""

from __future__ import annotations

import pytest

from knowledge.highlight import LIMIT
from tests.knowledge.test_search import TITLES, _assert_well_formed

# Clearly outside the speeches: no answer at all.
OFF_TOPIC = [
    # Once slipped through (a compound the corpus lacks, found only as its parts, now counts half).
    "税务局在哪里",
    "讲话稿怎么写",
    "今天天气怎么样",
    "明天会下雨吗",
    "最近有什么好看的电影",
    "推荐一部科幻电影",
    "Python怎么读取文件",
    "如何用Java写一个排序算法",
    "今天股市行情如何",
    "茅台股票能买吗",
    "红烧肉怎么做",
    "西红柿炒鸡蛋的做法",
    "昨晚的足球比赛谁赢了",
    "NBA总决赛什么时候开始",
    "感冒了吃什么药",
    "怎样减肥最快",
    "去日本旅游需要签证吗",
    "去三亚旅游有什么推荐",
    "双十一有什么优惠",
    "哪里买手机便宜",
    "What's the weather like today?",
    "How do I cook pasta?",
    "Who won the World Cup?",
    "hello",
    "你好",
    "讲个笑话",
    "怎么养猫",
    "公司怎么注册",
    "党员",
    "企业",
    "组织",
]


# Near the speeches' vocabulary but not answered by them: at most the tentative reply (the closest passage,
# flagged "low"), never a confident one. The first two had no answer before issue 9 and now get the tentative
# reply; 商务楼宇租金多少 was a slip (a confident answer) and is now tentative. The last asks for an amount
# (几个月) that the closest passage does not state (knowledge/asks.py): a slip until then.
OFF_TOPIC_NEAR = [
    "个人所得税怎么算",
    "员工工资怎么发",
    "商务楼宇租金多少",
    "支部换届选举需要提前几个月向上级请示",
    "学习强国积分怎么刷",  # a slip until the stand-out rule of knowledge/decide.py asked 0.50 of the question
    # A slip from the sentence-level weighing (knowledge/proximity.py: 退休…党员干部 in one sentence, 0.63 of the
    # question) until the calibrated model of knowledge/decide.py, which also weighs the lead's score.
    "党员退休以后还要不要交党费",
]


# Off-topic questions that still get a confident answer: a one-character verb (写, 签) is all that says what they
# ask, and the rest is in the speeches (工作总结 -> 总结推广; 党组织书记的劳动合同).
OFF_TOPIC_SLIPS = [
    "劳动合同怎么签",
]


# Confident until the field model (knowledge.decide.FIELD_MODEL): past questions point at its lead only weakly
# (the best field score 4.9), p 0.557.
OFF_TOPIC_ONCE_SLIPPED = ["怎么写工作总结"]


# Once missed, now answered (东西 is a question word; the units rule reads a count before 联合; the
# colloquial 民营企业 weighs less than its formal 非公企业, and the lead may be any of the best three).
ONCE_MISSED = ["党员活动室要有哪些东西", "七个单位能联合建一个党组织吗", "民营企业怎么建党组织"]


ODD_INPUT = [
    "",
    " ",
    "   \n\t  ",
    "？！。，、…",
    "?!.,;:",
    "😀😀🎉",
    "🙏",
    "<b>党费</b>怎么交",
    "党费\x00\x07\x1b怎么交\u200b",
    "\x00\x01\x02",
    "\ud800",
    "a" * 5000,
    "党员" * 2000,
    "1" * 4000,
    "DROP TABLE questions; --",
    "%s %d {0} {q}",
]


@pytest.mark.parametrize("query", OFF_TOPIC)
def test_off_topic_questions_get_no_answer(kb, query):
    answer = kb.ask(query)
    assert answer.hits == []
    assert not answer.answered
    assert answer.rule is None
    assert answer.confidence is None


@pytest.mark.parametrize("query", OFF_TOPIC_NEAR)
def test_near_off_topic_questions_are_never_confident(kb, query):
    assert kb.ask(query).confidence != "high"


@pytest.mark.xfail(strict=True, reason="off-topic question is answered confidently")
@pytest.mark.parametrize("query", OFF_TOPIC_SLIPS)
def test_off_topic_slips(kb, query):
    assert kb.ask(query).confidence != "high"


@pytest.mark.parametrize("query", OFF_TOPIC_ONCE_SLIPPED)
def test_off_topic_slips_no_longer(kb, query):
    assert kb.ask(query).confidence != "high"


@pytest.mark.parametrize("query", ONCE_MISSED)
def test_in_domain_questions_once_missed(kb, query):
    assert kb.search(query)


@pytest.mark.parametrize("query", ODD_INPUT, ids=range(len(ODD_INPUT)))
def test_odd_input_does_not_raise(kb, query):
    hits = kb.search(query)
    assert isinstance(hits, list)
    for h in hits:
        assert h.source in TITLES
        assert len(h.highlight) <= LIMIT


@pytest.mark.parametrize("query", ["", " ", "\n\t", "？！。", "😀🎉", "\x00\x01"])
def test_empty_input_gets_no_answer(kb, query):
    assert kb.search(query) == []


def test_none_query_does_not_raise(kb):
    assert kb.search(None) == []  # type: ignore[arg-type]


def test_html_tags_do_not_hide_the_question(kb):
    hits = kb.search("<b>党费</b>怎么交")
    assert hits
    assert any("党费" in h.text for h in hits)


def test_control_characters_do_not_hide_the_question(kb):
    assert [h.passage_id for h in kb.search("党费\x00\x07怎么交\u200b")] == [
        h.passage_id for h in kb.search("党费怎么交")
    ]


def test_long_paste_of_a_speech(kb):
    paste = "".join(p.text for p in kb.passages)[:4000]
    assert len(paste) == 4000
    hits = kb.search(paste)
    assert isinstance(hits, list)
    _assert_well_formed(hits, 3)
