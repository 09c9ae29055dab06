"""An answer only the form could mean, sent to a draft left idle past the form's timeout (a meeting outlasts it),
goes to the form; anything else is still a question (helper-92's review: 应到8人实到7人 forty minutes later was
answered as a policy question, then the secretary was told to type it again)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from handlers.services.form.idle import RESUMED
from handlers.services.form.model import FORM_TIMEOUT
from tests.tg.forms_world import ALICE, START, Chat, Form, make_secretary


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def idle_at(harness, clock: FixedClock, until: str) -> Chat:
    chat = Chat(harness, harness.user(ALICE, "王书记"))
    await make_secretary(harness, chat.user)
    await Form(chat, "committee").run(until=until)
    clock.advance(FORM_TIMEOUT + timedelta(minutes=10))
    return chat


async def test_the_attendance_after_a_long_break_goes_to_the_form(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await idle_at(harness, clock, "place")  # the draft waits for the attendance
        reply = await chat.send("应到8人实到7人")
        assert reply.plain_text.startswith(RESUMED.strip()), reply.plain_text
        assert "有 1 人缺席" in reply.plain_text
        data = await chat.data()
        assert (data["expected"], data["actual"]) == (8, 7) and await chat.step() == "absentees"
        await chat.send("张三 出差")  # active again: the next answer needs no resumption
        assert (await chat.data())["absentees"][0]["name"] == "张三"


async def test_a_question_after_a_long_break_is_still_answered_as_one(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await idle_at(harness, clock, "place")
        reply = await chat.send("党组织书记可以当人大代表吗")
        assert not reply.plain_text.startswith(RESUMED.strip()), reply.plain_text
        assert await chat.step() == "attendance" and "expected" not in await chat.data()


async def test_free_text_after_a_long_break_is_not_taken(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await idle_at(harness, clock, "date")  # the draft waits for the topic: any text would fit it
        reply = await chat.send("学习贯彻全会精神")
        assert not reply.plain_text.startswith(RESUMED.strip()), reply.plain_text
        assert await chat.step() == "topic"


@pytest.mark.parametrize("text", ["党员大会应到8人，实到5人，是否有效", "应到8人实到5人能不能开党员大会"])
async def test_a_question_shaped_as_the_answer_is_still_a_question(make_bot, clock, text):
    """helper-94's review: a question without a question mark was stored as the idle draft's attendance."""
    async with make_bot(clock=clock) as harness:
        chat = await idle_at(harness, clock, "place")
        reply = await chat.send(text)
        assert not reply.plain_text.startswith(RESUMED.strip()), reply.plain_text
        assert "expected" not in await chat.data()
