"""An older message's button of another step: answered with a short note, the form unchanged.

The report: handwritten minutes sent page by page leave a 完成 on each page's count; after 完成 on the last, an
earlier page's 完成 pressed at the photos step finished the photos (the summary came with too few of them said
nothing about it, or the form skipped ahead)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, Form, jpeg, make_secretary


def _sent(chat: Chat) -> list:
    return [m for m in chat.emu.messages(chat.id) if m.kind == "send"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_an_old_minutes_done_does_not_finish_the_photos(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "theme_day").run("fields")
        _, first_page = await chat.photo(jpeg(40))
        _, second_page = await chat.photo(jpeg(41))
        assert second_page.plain_text.startswith("已收到会议记录照片 2 页")
        await chat.press(second_page, second_page.callback_data("完成"))
        for i in range(3):
            await chat.photo(jpeg(70 + i))
        before = await chat.data()
        assert await chat.step() == "photos" and len(before["photos"]) == 3

        answer = await chat.press_for_answer(first_page, first_page.callback_data("完成"))
        await harness.emulator.idle()
        assert answer.get("show_alert") and "会议记录" in answer["text"] and "已失效" in answer["text"], (
            answer
        )
        assert await chat.step() == "photos" and await chat.data() == before
        assert _sent(chat)[-1].plain_text.startswith("已收到 3 张照片")  # nothing sent
        assert not chat.emu.current_message(chat.id, first_page.message_id).get(
            "reply_markup"
        )  # buttons gone


async def test_an_old_photos_done_does_not_finish_the_new_minutes(make_bot, clock):
    """改会议记录 from the summary: the photos' 完成 of an older message is not the minutes' 完成."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")
        await form.run("photos")
        first_count = _sent(chat)[-2]  # 已收到 1 张照片 (its 完成 is still there)
        assert first_count.plain_text.startswith("已收到 1 张照片"), first_count.plain_text
        summary = await chat.press(form.prompt, form.prompt.callback_data("完成"))
        await chat.press(summary, "f:edit:minutes")
        await chat.photo(jpeg(90))
        answer = await chat.press_for_answer(first_count, first_count.callback_data("完成"))
        await harness.emulator.idle()
        assert "照片" in answer["text"] and "已失效" in answer["text"], answer
        assert await chat.step() == "minutes"


async def test_yesterday_pressed_on_the_date_prompt_at_the_topic_step(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("kind")
        date_prompt = form.prompt
        await chat.send("2026-11-20")  # typed: the 今天/昨天 buttons stay on the prompt
        answer = await chat.press_for_answer(date_prompt, "f:date:1")
        await harness.emulator.idle()
        assert "日期" in answer["text"] and "主题" in answer["text"], answer
        assert (await chat.data())["held_on"] == "2026-11-20" and await chat.step() == "topic"
        assert _sent(chat)[-1].plain_text.endswith("活动主题是什么？")
