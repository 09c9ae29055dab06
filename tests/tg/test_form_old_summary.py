"""An old summary's buttons after 重新开始 (or a new summary): they are taken off, and a client that still shows
them gets "这个按钮已失效。", never the new form's step hint, never a confirmation of another draft."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.callbacks import STALE
from tests.tg.forms_world import ALICE, START, Chat, Form, make_secretary, records

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def markup(chat: Chat, message) -> dict | None:
    return chat.emu.current_message(chat.id, message.message_id).get("reply_markup")


async def test_restart_takes_the_old_summary_buttons_off(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        summary = await Form(chat, "committee").run("summary")
        offer = await chat.send("/submit")
        menu = await chat.press(offer, "f:restart")
        date_prompt = await chat.press(menu, "f:kind:theme_day")
        await chat.press(date_prompt, "f:date:0")
        await harness.emulator.idle()
        assert not markup(chat, summary)
        for data in ("f:confirm", "f:edit:topic", "f:cancel"):
            answer = await chat.press_for_answer(summary, data, check=False)
            assert answer.get("text") == STALE, (data, answer)
        await harness.emulator.idle()
        await chat.emu.expect_no_message(chat.id, within=0.5)
        assert await chat.step() == "topic"
        assert (await chat.data())["kind"] == "theme_day"
        assert await records(harness, branch.id) == []


async def test_a_new_summary_takes_the_previous_one_off(make_bot, clock: FixedClock) -> None:
    """/submit -> 继续填写 shows the summary again: only the latest confirms."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        first = await Form(chat, "theme_day").run("summary")
        offer = await chat.send("/submit")
        second = await chat.press(offer, "f:resume")
        assert second.plain_text.startswith("请核对【主题党日】记录："), second.plain_text
        await harness.emulator.idle()
        assert not markup(chat, first)
        assert markup(chat, second)
        receipt = await chat.press(second, "f:confirm")
        assert receipt.plain_text.startswith("✅ 提交成功，等待审核。"), receipt.plain_text


async def test_cancel_takes_the_summary_buttons_off(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        summary = await Form(chat, "theme_day").run("summary")
        asked = await chat.send("/cancel")
        done = await chat.press(asked, "f:discard")
        assert done.plain_text.startswith("已取消"), done.plain_text
        await harness.emulator.idle()
        assert not markup(chat, summary)


async def test_a_live_summary_button_at_another_step_is_spent(make_bot, clock: FixedClock) -> None:
    """A summary shown again by an unknown command keeps its buttons; once 改主题 moved the draft on, its
    ✅ 确认提交 is answered as spent (not "请用文字发送活动主题") and its buttons are taken off."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        summary = await Form(chat, "theme_day").run("summary")
        again = await chat.send("/back")
        assert "请核对【主题党日】记录：" in again.plain_text, again.plain_text
        topic = await chat.press(summary, "f:edit:topic")
        assert "活动主题是什么" in topic.plain_text, topic.plain_text
        answer = await chat.press_for_answer(again, "f:confirm")
        assert answer.get("text") == STALE, answer
        await harness.emulator.idle()
        sent = [m for m in chat.emu.messages(chat.id) if m.kind == "send"]
        assert sent[-1].message_id == topic.message_id, sent[-1].plain_text
        assert not markup(chat, again)
        assert await chat.step() == "topic"
        assert await records(harness, branch.id) == []
