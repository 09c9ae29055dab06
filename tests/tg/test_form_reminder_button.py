"""A reminder's 📝 button while a form is in progress asks first, as /submit does; it never wipes the draft."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import BOB, START, Chat, Form, make_secretary


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def with_draft(harness) -> tuple[Chat, dict]:
    chat = Chat(harness, harness.user(BOB, "李书记"))
    await make_secretary(harness, chat.user)
    form = Form(chat, "group_meeting")
    await form.run(until="place")
    return chat, await chat.data()


async def test_the_reminder_button_asks_before_replacing_a_draft(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat, before = await with_draft(harness)
        status = await chat.send("/reminders")
        question = await chat.press(status, "rm:new:observation")
        text = question.plain_text
        assert text.startswith("您有一份未完成的草稿（党小组会，填到“出勤”）。"), text
        assert "重新开始登记【观摩交流】" in text
        assert question.button_texts == ["继续填写", "重新开始登记观摩交流"]
        assert await chat.data() == before and await chat.step() == "attendance"  # nothing changed yet

        resumed = await chat.press(question, "f:resume")
        assert resumed.plain_text.startswith("【党小组会】应到、实到各多少人？")
        assert await chat.data() == before


async def test_starting_the_reminded_kind_anew(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat, _ = await with_draft(harness)
        status = await chat.send("/reminders")
        question = await chat.press(status, "rm:new:observation")
        prompt = await chat.press(question, "f:restart:observation")
        assert prompt.plain_text.startswith("【观摩交流】活动是哪天开展的？"), prompt.plain_text
        assert await chat.data() == {"kind": "observation"} and await chat.step() == "date"


async def test_no_question_when_nothing_was_entered(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(BOB, "李书记"))
        await make_secretary(harness, chat.user)
        menu = await chat.send("/submit")
        await chat.press(menu, "f:kind:lecture")  # the kind chosen, nothing typed yet
        status = await chat.send("/reminders")
        prompt = await chat.press(status, "rm:new:observation")
        assert prompt.plain_text.startswith("【观摩交流】活动是哪天开展的？"), prompt.plain_text
