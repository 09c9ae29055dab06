"""A photo Telegram does not hand over is named as not saved, and the photos step says when it is full
(helper-92's review: a failed download got the generic "请稍后再试。已记录的内容不会丢失", and at 20 photos the bot
still said "还有就继续发")."""

from __future__ import annotations

import asyncio

import pytest

from handlers.services.clock import FixedClock
from handlers.services.form.files import NOT_DOWNLOADED, NOT_DOWNLOADED_RETRY
from tests.tg.forms_world import ALICE, START, Chat, Form, make_secretary, png


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def _at_photos(harness) -> Chat:
    chat = Chat(harness, harness.user(ALICE, "王书记"))
    await make_secretary(harness, chat.user)
    await Form(chat, "committee").run("minutes")
    return chat


@pytest.mark.parametrize(
    ("status", "count", "said"), [(500, 5, NOT_DOWNLOADED_RETRY), (400, 1, NOT_DOWNLOADED)]
)
async def test_a_photo_that_cannot_be_downloaded_is_named(make_bot, clock, status, count, said):
    async with make_bot(clock=clock) as harness:
        chat = await _at_photos(harness)
        _, first = await chat.photo(png(60))
        assert first.plain_text.startswith("已收到 1 张照片")
        harness.emulator.fail_next("getFile", status=status, count=count)  # 5: past the retries
        chat.user.send_photo(content=png(61))
        reply = await chat.reply(timeout=10)
        harness.take_errors()
        assert reply.plain_text == said
        assert len((await chat.data())["photos"]) == 1 and await chat.step() == "photos"
        _, again = await chat.photo(png(61))
        assert again.plain_text.startswith("已收到 2 张照片")


async def test_the_last_photo_allowed_says_the_step_is_full(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await _at_photos(harness)
        for batch in (range(100, 110), range(200, 210)):
            chat.user.send_album([png(i) for i in batch])
            await asyncio.sleep(2.0)
        said = [m.plain_text for m in harness.emulator.messages(chat.id) if m.kind == "send"]
        assert len((await chat.data())["photos"]) == 20
        assert said[-1] == "已收到 20 张照片。已达上限（最多20张），请点击“完成”。", said[-2:]
