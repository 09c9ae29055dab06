"""The same picture sent twice (another Telegram file id, the same bytes) counts once."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import BOB, START, Chat, Form, make_secretary, png


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_the_same_photo_twice_counts_once(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(BOB, "李书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "theme_day").run(until="minutes")  # at least 2 photos
        same = png(42)
        _, first = await chat.photo(same)
        assert first.plain_text == "已收到 1 张照片。至少还需要 1 张。"
        _, again = await chat.photo(same)
        assert again.plain_text == "这张照片已经收到过了，没有重复计算。已收到 1 张照片。至少还需要 1 张。"
        assert len((await chat.data())["photos"]) == 1
        refused = await chat.press(again, "f:done:photos")
        assert "至少需要2张照片，现在有1张" in refused.plain_text, refused.plain_text
        _, other = await chat.photo(png(43))
        assert other.plain_text.startswith("已收到 2 张照片。")


async def test_the_same_page_twice_counts_once(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(BOB, "李书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "lecture").run(until="fields")  # at the minutes
        await chat.photo(png(50))
        _, again = await chat.photo(png(50))
        assert again.plain_text.startswith("这张照片已经收到过了，没有重复计算。已收到会议记录照片 1 页。")
        assert len((await chat.data())["minutes_files"]) == 1
