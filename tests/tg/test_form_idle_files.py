"""Photos sent for a draft left idle past the form's timeout: taken at the photos step, else one clear message
per album (never dropped silently, never the Q&A's "我目前只能理解文字提问" once per photo)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from handlers.services.form.model import FORM_TIMEOUT
from tests.tg.forms_world import BOB, START, Chat, Form, make_secretary, png


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def new_messages(chat: Chat, before: int) -> list[str]:
    """What the bot sent since ``before``: the first reply, then 2 s more (an album's count comes 1.2 s after
    its last photo) for any further ones."""
    await chat.reply(timeout=10)
    await asyncio.sleep(2.0)
    return [m.plain_text or "" for m in chat.emu.messages(chat.id)[before:] if m.kind == "send"]


async def idle_at(harness, clock: FixedClock, until: str) -> Chat:
    chat = Chat(harness, harness.user(BOB, "李书记"))
    await make_secretary(harness, chat.user)
    await Form(chat, "lecture").run(until=until)
    clock.advance(FORM_TIMEOUT + timedelta(minutes=15))
    return chat


async def test_an_album_for_an_idle_draft_at_another_step_is_told_once(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await idle_at(harness, clock, "fields")  # the draft waits for the minutes
        before = len(chat.emu.messages(chat.id))
        chat.user.send_album([png(1), png(2), png(3)])
        said = await new_messages(chat, before)
        assert len(said) == 1, said
        assert said[0].startswith(
            "您有一份未完成的【党课】草稿（填到“会议记录”），刚才发送的照片或文件没有保存。"
        )
        assert "/submit" in said[0] and "继续填写" in said[0]
        assert await chat.step() == "minutes" and not (await chat.data()).get("minutes_files")


async def test_photos_for_an_idle_draft_at_the_photos_step_are_taken(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await idle_at(harness, clock, "minutes")  # the text before the meeting, the photos after it
        before = len(chat.emu.messages(chat.id))
        chat.user.send_album([png(1), png(2)])
        said = await new_messages(chat, before)
        assert said == ["已收到 2 张照片。还有就继续发，发完请点击“完成”。"], said
        assert len((await chat.data())["photos"]) == 2
        summary = await chat.send("/skip")  # the draft is active again: the form answers, not the Q&A
        assert "照片是必需的" in summary.plain_text or "不能跳过" in summary.plain_text, summary.plain_text


async def test_an_album_at_a_step_without_files_is_refused_once(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(BOB, "李书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "lecture").run(until="kind")  # at the date
        before = len(chat.emu.messages(chat.id))
        chat.user.send_album([png(1), png(2), png(3)])
        said = await new_messages(chat, before)
        assert len(said) == 1 and said[0].startswith("这一步不需要发送文件。"), said


async def test_an_album_over_the_photo_limit_is_told_once(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(BOB, "李书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "lecture").run(until="minutes")
        before = len(chat.emu.messages(chat.id))
        chat.user.send_album([png(100 + i) for i in range(22)])
        said = await new_messages(chat, before)
        assert [s for s in said if s.startswith("照片最多20张")] == [
            "照片最多20张，多出的没有保存。请点击“完成”。"
        ], said
        assert len((await chat.data())["photos"]) == 20


async def test_text_for_an_idle_draft_is_answered_as_a_question_and_the_draft_pointed_out_once(
    make_bot, clock: FixedClock
) -> None:
    from handlers.tg.qa import IDLE_DRAFT_HINT

    async with make_bot(clock=clock) as harness:
        chat = await idle_at(harness, clock, "fields")  # the draft waits for the minutes
        before = len(chat.emu.messages(chat.id))
        chat.user.send_text("应到8人，实到8人")
        said = await new_messages(chat, before)
        assert len(said) == 2 and said[1] == IDLE_DRAFT_HINT.format(kind="党课"), said
        before = len(chat.emu.messages(chat.id))
        chat.user.send_text("党员不足三人的企业怎样建立党组织")
        said = await new_messages(chat, before)
        assert len(said) == 1 and "草稿" not in said[0], said  # once per idle draft, not after every question
        assert await chat.step() == "minutes"  # the draft is kept as it was
