"""Questions in chat read in context: a follow-up after an answer, never after a refusal; the three outcomes
(confident, tentative, none) look different; an amount the speech writes as × is said so."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.tg.render import full_data
from knowledge.render import CLOSEST
from tests.tg.test_e2e_qa import (
    OFF_TOPIC,
    POLICY_QUESTION,
    USER_ID,
    ask,
    expected_answer,
    feedback_qid,
    question_row,
)


async def test_a_follow_up_is_read_with_the_question_before(make_bot) -> None:
    start = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    clock = FixedClock(start)
    async with make_bot(clock=clock) as harness:
        user = harness.user(USER_ID)
        first = await ask(harness, user, "党员不足三人的企业怎样建立党组织")
        assert "接着上一个问题" not in first.plain_text
        follow = await ask(harness, user, "那具体怎么做呢")
        assert follow.plain_text.startswith("（接着上一个问题“党员不足三人的企业怎样建立党组织”理解）")
        row = await question_row(harness, feedback_qid(follow))
        assert row is not None and row.query == "党员不足三人的企业怎样建立党组织 → 具体怎么做呢"
        # A follow-up the speeches answer surely on its own is answered on its own: the previous question's
        # words used to outweigh its own topic, so the previous answer came again.
        own = await ask(harness, user, "那联合建呢？")
        assert "接着上一个问题" not in own.plain_text
        assert own.plain_text.startswith("要点：联合建即")
        clock.advance(timedelta(minutes=11))  # too late to lean on it
        alone = await ask(harness, user, "具体怎么做")
        assert "接着上一个问题" not in alone.plain_text
        # With nothing to lean on, a question naming no topic is only offered as the closest passage, and the
        # user is asked to name it (helper-70's review: 多久一次 alone was answered confidently).
        often = await ask(harness, user, "多久一次")  # the question before it was left unanswered
        assert "接着上一个问题" not in often.plain_text
        assert "问题里没有说是哪项工作" in often.plain_text and "相关表述：" in often.plain_text, (
            often.plain_text
        )


async def test_a_follow_up_that_names_a_subject_asks_the_question_before_of_it(make_bot) -> None:
    """ "那党课呢？" after "主题党日每月搞几次" asks how often 党课 is held (found by helper-67's review: the words
    of the question before outweighed 党课, and the 主题党日 passage came again, confidently)."""
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        first = await ask(harness, user, "主题党日每月搞几次")
        assert "主题党日" in first.plain_text
        follow = await ask(harness, user, "那党课呢？")
        assert follow.plain_text.startswith("（接着上一个问题，按“党课每月搞几次”理解）")
        assert "没有规定党课多久开一次" in follow.plain_text
        row = await question_row(harness, feedback_qid(follow))
        assert row is not None and row.query == "党课每月搞几次"
        # A follow-up that names no subject of its own still reads the question before as it stands.
        then = await ask(harness, user, "具体怎么做")
        assert then.plain_text.startswith("（接着上一个问题“党课每月搞几次”理解）")


async def test_a_follow_up_never_leans_on_a_question_left_unanswered(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        refused = await ask(harness, user, "今天天气怎么样")
        assert "没有找到" in refused.plain_text
        follow = await ask(harness, user, "具体怎么做")
        assert "接着上一个问题" not in follow.plain_text


TENTATIVE_QUESTION = "公司食堂的饭菜怎么改进"


async def test_three_outcomes_look_different(make_bot) -> None:
    """Confident: 要点 and no hedge; tentative: the closest passage, said so, with the next two as buttons;
    refused: 没有找到 and the example questions."""
    async with make_bot() as harness:
        expected = expected_answer(harness, TENTATIVE_QUESTION).answer
        assert expected.tentative, "the question must stay tentative for this test to mean anything"
        user = harness.user(USER_ID)
        confident = await ask(harness, user, POLICY_QUESTION)
        assert confident.plain_text.startswith("要点：") and "最接近" not in confident.plain_text
        tentative = await ask(harness, user, TENTATIVE_QUESTION)
        assert tentative.plain_text.startswith(f"🔎 {CLOSEST}") and "相关表述：" in tentative.plain_text
        maybe = [t for t in tentative.button_texts if t.startswith("也可能是：")]
        assert len(maybe) == min(2, len(expected.hits) - 1) >= 1
        second = expected.hits[1]
        assert tentative.callback_data(maybe[0]) == full_data(second)
        refused = await ask(harness, user, OFF_TOPIC[0])
        assert "没有找到" in refused.plain_text and "最接近" not in refused.plain_text


async def test_an_amount_the_speech_writes_as_x_is_said_so(make_bot) -> None:
    """The awards are written ×万元: the reply is tentative and says the amount is not published."""
    async with make_bot() as harness:
        reply = await ask(harness, harness.user(USER_ID), "评上五星支部到底奖励多少万")
        assert reply.plain_text.startswith(f"🔎 {CLOSEST}")
        assert "写作“×”，没有公布具体标准" in reply.plain_text


async def test_a_short_question_of_its_own_leans_when_the_reading_bears_it(make_bot) -> None:
    """ "靠谁来办" after a question on 非公党建学院 is read with it (it was read alone and refused: blind follow-up
    sets, stop 29); "怎么入党" after a question on 主题党日 asks of something else and stands alone."""
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        await ask(harness, user, "非公党建学院是做什么的")
        follow = await ask(harness, user, "靠谁来办")
        assert follow.plain_text.startswith("（接着上一个问题“非公党建学院是做什么的”理解）"), (
            follow.plain_text
        )
        assert "依托规模较大" in follow.plain_text
        await ask(harness, user, "主题党日多久一次")
        other = await ask(harness, user, "怎么入党")
        assert "接着上一个问题" not in other.plain_text
