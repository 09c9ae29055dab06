"""Handwritten minutes photographed page by page, then a typed line instead of the 完成 button (helper-92's review:
a sentence replaced the pages without a word, and a typed 完成 was told the minutes were too short)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, Form, jpeg, make_secretary


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


async def test_an_old_clear_pages_button_never_clears_the_activity_photos(make_bot, clock):
    """helper-94's review: 清空重发 on an older refusal, pressed once the form was at the photos step, emptied the
    activity photos (both buttons sent the same clear)."""
    async with make_bot(clock=clock) as harness:
        chat = await _at_minutes_with_pages(harness)
        first = await chat.send("会议记录是手写的，共两页")
        second = await chat.send("已经拍照发上来了")
        await chat.press(second, second.callback_data("完成"))
        for i in range(3):
            await chat.photo(jpeg(70 + i))
        assert await chat.step() == "photos" and len((await chat.data())["photos"]) == 3
        chat.user.press(first, first.callback_data("清空重发"))
        await harness.emulator.idle()
        data = await chat.data()
        assert len(data["photos"]) == 3 and len(data["minutes_files"]) == 2


async def test_ok_to_a_page_not_saved_is_not_done(make_bot, clock):
    """helper-94's review: 好 ("OK, I will") answering "…没有保存。请换一张…" moved the form on to the photos."""
    async with make_bot(clock=clock) as harness:
        chat = await _at_minutes_with_pages(harness, pages=1)
        harness.emulator.fail_next("getFile", status=400, count=1)
        _, warned = await chat.photo(jpeg(50))
        harness.take_errors()
        assert "没有保存" in warned.plain_text
        await chat.send("好")
        await chat.photo(jpeg(50))
        assert await chat.step() == "minutes" and len((await chat.data())["minutes_files"]) == 2
