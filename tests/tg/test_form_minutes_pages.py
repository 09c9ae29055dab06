"""Handwritten minutes photographed page by page, then a typed line instead of the 完成 button (helper-92's review:
a sentence replaced the pages without a word, and a typed 完成 was told the minutes were too short)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.test_e2e_forms import ALICE, START, Chat, Form, jpeg, make_secretary


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def _at_minutes_with_pages(harness, pages: int = 2) -> Chat:
    chat = Chat(harness, harness.user(ALICE, "王书记"))
    await make_secretary(harness, chat.user)
    await Form(chat, "committee").run("fields")
    for i in range(pages):
        _, reply = await chat.photo(jpeg(40 + i))
    assert reply.plain_text.startswith(f"已收到会议记录照片 {pages} 页")
    return chat


async def test_a_sentence_after_the_pages_keeps_them_and_says_how(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await _at_minutes_with_pages(harness)
        reply = await chat.send("会议记录是手写的，已经拍照发上来了")
        data = await chat.data()
        assert len(data["minutes_files"]) == 2 and not data.get("minutes_text")
        assert await chat.step() == "minutes"
        assert reply.plain_text.startswith("⚠️ 已收到会议记录照片 2 页，这段文字没有记入。"), reply.plain_text
        assert {"完成", "清空重发"} <= set(reply.button_texts), reply.button_texts
        await chat.press(reply, reply.callback_data("完成"))
        assert await chat.step() == "photos"
        assert len((await chat.data())["minutes_files"]) == 2


async def test_clear_then_type_the_minutes(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await _at_minutes_with_pages(harness)
        refused = await chat.send("会议记录是手写的，已经拍照发上来了")
        await chat.press_in_place(refused, refused.callback_data("清空重发"))
        assert (await chat.data())["minutes_files"] == []
        await chat.send("会议传达学习了上级精神，研究了本月工作安排。")
        data = await chat.data()
        assert data["minutes_text"].startswith("会议传达") and await chat.step() == "photos"


@pytest.mark.parametrize("word", ["完成", "好了"])
async def test_done_typed_after_the_pages_is_the_button(make_bot, clock, word):
    async with make_bot(clock=clock) as harness:
        chat = await _at_minutes_with_pages(harness)
        reply = await chat.send(word)
        assert await chat.step() == "photos", reply.plain_text
        assert len((await chat.data())["minutes_files"]) == 2
