"""Answer types a question asks for (``knowledge.asks``): a when question and a dated passage."""

from __future__ import annotations

import pytest

from knowledge.asks import REDACTED_NOTE, REDACTED_SHOWN, answer_missing, dated_first, defined_sentence


def test_a_when_question_prefers_a_near_tied_dated_passage():
    texts = {1: "给圆方集团全体职工重要回信精神", 2: "4月30日，总书记给圆方集团全体职工回信", 3: "其他"}
    ranked = [(1, 10.0), (2, 9.0), (3, 1.0)]
    assert dated_first("圆方回信哪天", ranked, texts.__getitem__)[0] == (2, 10.0)
    assert dated_first("圆方回信说了啥", ranked, texts.__getitem__) == ranked  # not a when question
    far = [(1, 10.0), (2, 5.0), (3, 1.0)]
    assert dated_first("圆方回信哪天", far, texts.__getitem__) == far  # not near enough


def test_the_letter_s_date_is_answered_from_the_passage_that_gives_it(kb):
    answer = kb.ask("圆方回信啥时候")
    assert answer.hits and "4月30日" in answer.hits[0].text


@pytest.mark.parametrize(
    "question",
    [
        "评上五星支部到底奖励多少万",
        "新建党组织的达标创建补助具体是多少元",
        "支部委员会最少要几个委员",
        "员工一年能休几天年假",
    ],
)
def test_a_figure_the_speeches_leave_out_is_not_answered_confidently(kb, question):
    """The speeches write the awards as ×万元 and give no head count or leave: the closest passage is offered
    as tentative, never as the answer."""
    assert kb.ask(question).confidence != "high"


def test_a_figure_of_the_kind_asked_for_answers():
    assert not answer_missing("书记津贴每月多少钱", "对书记每月发放500元工作津贴")
    assert answer_missing("书记津贴每月多少钱", "对书记给予×元工作津贴")
    assert answer_missing("支委会最少要几个委员", "每月至少组织1次集体学习")
    assert not answer_missing("要弘扬哪几种精神", "弘扬企业家精神、劳动精神、工匠精神")


def test_which_ones_and_those_ask_for_no_amount():
    """哪几个 asks which, 那几个/这几个 point at things named: neither asks how many."""
    lead = "实现组织共建、资源共享、优势互补、共同发展"
    assert not answer_missing("结对以后要做到哪几个共", lead)
    assert not answer_missing("那几个优势要转成什么", lead)
    assert answer_missing("结对要找几个单位", lead)
    # 那 opening a question (so, then) still asks: found by review.
    for question in ("那几点开会", "那几号交党费", "那几岁可以入党", "那几个人能组成一个支部"):
        assert answer_missing(question, lead), question
    # 好几个, 十几人, 60几个 tell a situation's rough size: they ask for nothing.
    assert not answer_missing("公司分了好几个网点，党员怎么发挥作用", lead)
    assert not answer_missing("我们是十几人的小企业，党员60几个，怎么结对", lead)


def test_an_amount_written_as_x_is_said_to_be_unpublished(kb):
    answer = kb.ask("评上五星支部到底奖励多少万")
    assert answer.tentative and answer.note == REDACTED_NOTE
    # Not asked for the amount, or not this one: the × shown is explained (helper-88: 有奖金吗 quoted ×万元 bare).
    assert kb.ask("评上五星支部有奖金吗").note == REDACTED_SHOWN
    assert kb.ask("主题党日多久一次").note is None
    assert kb.ask("书记补贴多少钱").note == REDACTED_NOTE
    # Found by review: the speeches name no allowance for 指导员; the secretary's ×元 is not its amount.
    assert kb.ask("党建指导员补贴多少钱").note in (None, REDACTED_SHOWN)


@pytest.mark.parametrize(
    "question",
    ["新成立党组织有多少补助", "书记每月能领多少津贴", "单独新建党组织的补助标准", "书记津贴每个月大概多少"],
)
def test_an_amount_asked_in_other_word_orders_is_said_to_be_unpublished(kb, question):
    """helper-73's review: these showed 不低于×元 as a confident 要点, with no word that the amount is unpublished."""
    answer = kb.ask(question)
    assert answer.note == REDACTED_NOTE and answer.tentative, (answer.confidence, answer.note)


def test_a_mark_asked_for_by_itself_quotes_its_definition(kb):
    """helper-88's review: "1+6+X里的6是指什么" quoted the “1”即 sentence."""
    assert kb.ask("主题党日1+6+X里的6是指什么").hits[0].highlight.startswith("“6”即学习讨论")
    assert kb.ask("1+6+X的X指什么").hits[0].highlight.startswith("“X”即学党建知识")
    # The whole formula asked for: not its last mark.
    assert defined_sentence("1+6+X是什么意思", "“X”即学党建知识。") is None
