"""Which question a follow-up is read with, and how sure its answer is (helper-95's review of the Q&A chat): a follow-up
naming a subject of its own is not answered surely with the passage on the subject before; an edited follow-up
keeps the question it followed; a follow-up sent as a reply (回复) is read with the answer it replies to; a chained
follow-up names a question the user asked."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from handlers.services.clock import SHANGHAI, FixedClock
from knowledge.render import CLOSEST
from tests.emulator import SentMessage
from tests.tg.test_e2e_qa import feedback_qid, question_row

USER = 7_390_101


async def ask(harness, user, text: str, **kwargs) -> SentMessage:
    user.send_text(text, **kwargs)
    return await harness.emulator.wait_for_message(user.id, timeout=10)


def header(message: SentMessage) -> str:
    """The earlier question a follow-up's "（接着上一个问题…理解）" line quotes, or ""."""
    found = re.search(r"（接着上一个问题(?:，按)?“([^”]*)”理解）", message.plain_text)
    return found.group(1) if found else ""


def confident(message: SentMessage) -> bool:
    return "要点：" in message.plain_text and "🔎" not in message.plain_text


def key_sentence(message: SentMessage) -> str:
    return message.plain_text.split("要点：", 1)[-1].split("\n", 1)[0]


async def test_a_follow_up_naming_a_subject_is_not_answered_surely_of_the_subject_before(make_bot):
    """ "那支委会呢" after "主题党日多久开展一次" was answered surely with the 主题党日 sentence (支委会 counts as named:
    the lexicon gives 三会一课 for it, so no "讲话中没有提到" either); "那党课呢" after the tax question with the 1%
    sentence; "那党可呢" (a typo) the same. They are offered as the closest passage now."""
    async with make_bot() as harness:
        user = harness.user(USER)
        for first, follow in (
            ("主题党日多久开展一次", "那支委会呢"),
            ("党建工作经费可以在税前扣除吗", "那党课呢"),
            ("主题党日多久开展一次", "那党可呢"),
        ):
            await ask(harness, user, first)
            reply = await ask(harness, user, follow)
            assert header(reply) == first, reply.plain_text
            assert not confident(reply), reply.plain_text
            assert CLOSEST in reply.plain_text, reply.plain_text


async def test_a_follow_up_whose_answer_names_its_subject_stays_sure(make_bot):
    async with make_bot() as harness:
        user = harness.user(USER + 1)
        await ask(harness, user, "单独建支部要几个党员")
        reply = await ask(harness, user, "那联合建呢")
        assert confident(reply) and "联合建" in key_sentence(reply), reply.plain_text


async def test_an_edited_follow_up_keeps_the_question_it_followed(make_bot):
    """ "那党可呢" corrected by an edit to "那党课呢" was answered alone (a quote on 孵化): it is read, as a fresh
    "那党课呢" is, with the question before the message as first sent, not with the typo it replaces."""
    async with make_bot() as harness:
        user = harness.user(USER + 2)
        await ask(harness, user, "主题党日多久开展一次")
        typo = user.send_text("那党可呢")
        await harness.emulator.wait_for_message(user.id, timeout=10)
        user.edit_text(typo["message"], "那党课呢")
        edited = await harness.emulator.wait_for_message(user.id, timeout=10)
        assert header(edited) == "党课多久开展一次", edited.plain_text
        # A question sent after the message does not count: it is read with the one before the message.
        await ask(harness, user, "党建工作经费可以在税前扣除吗")
        user.edit_text(typo["message"], "那团课呢")
        again = await harness.emulator.wait_for_message(user.id, timeout=10)
        assert "讲话中没有提到“团课”" in again.plain_text, again.plain_text
        assert "主题党日" in again.plain_text and "税前" not in header(again), again.plain_text


async def test_a_follow_up_sent_as_a_reply_is_read_with_the_answer_it_replies_to(make_bot):
    """Replying (回复) to the 主题党日 answer with "那党课呢" was read with the latest question (the tax one) and
    answered surely with the 1% sentence. It is read with the question whose answer it replies to, even after
    the follow-up window."""
    start = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    clock = FixedClock(start)
    async with make_bot(clock=clock) as harness:
        user = harness.user(USER + 3)
        first = await ask(harness, user, "主题党日多久开展一次")
        await ask(harness, user, "党建工作经费可以在税前扣除吗")
        clock.advance(timedelta(minutes=30))
        reply = await ask(harness, user, "那党课呢", reply_to=first)
        assert header(reply) == "党课多久开展一次", reply.plain_text
        assert "党课" in reply.plain_text.split("出处：")[0], reply.plain_text
        row = await question_row(harness, feedback_qid(reply))
        assert row is not None and row.query == "党课多久开展一次"


async def test_a_follow_up_sent_as_a_reply_to_the_users_own_question_is_read_with_it(make_bot):
    """helper-104's re-review: a reply to the user's own earlier question (not to the bot's answer) was read with
    the latest question."""
    async with make_bot() as harness:
        user = harness.user(USER + 7)
        sent = user.send_text("主题党日多久开展一次")
        await harness.emulator.wait_for_message(user.id, timeout=10)
        await ask(harness, user, "党建工作经费可以在税前扣除吗")
        reply = await ask(harness, user, "那党课呢", reply_to=sent["message"])
        assert header(reply) == "党课多久开展一次", reply.plain_text


async def test_a_chained_follow_up_names_the_question_the_user_asked(make_bot):
    """ "观摩交流多久一次" -> "谁来组织" -> "具体怎么做": the third was said to be read with "观摩交流", a fragment
    the user never sent (the stem "谁来组织" was read with); it names "谁来组织", the question before it."""
    async with make_bot() as harness:
        user = harness.user(USER + 4)
        await ask(harness, user, "观摩交流多久一次")
        second = await ask(harness, user, "谁来组织")
        assert header(second) == "观摩交流多久一次", second.plain_text
        third = await ask(harness, user, "具体怎么做")
        assert header(third) == "谁来组织", third.plain_text
