"""Changing one item from the summary: 返回核对 leaves it as it was, and 改照片 keeps the photos unless the user
clears them; the edit prompt offers no 取消填写 that would delete the whole draft."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import BOB, START, Chat, Form, make_secretary, png, records


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def at_summary(harness, code: str = "theme_day") -> tuple[Chat, Form]:
    chat = Chat(harness, harness.user(BOB, "李书记"))
    await make_secretary(harness, chat.user)
    form = Form(chat, code)
    await form.run("summary")
    return chat, form


async def test_back_from_an_edit_of_the_minutes_keeps_them(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat, form = await at_summary(harness)
        before = await chat.data()
        prompt = await chat.press(form.prompt, "f:edit:minutes")
        assert "取消填写" not in prompt.button_texts
        assert prompt.button_texts[-1] == "返回核对"
        assert "替换原来的会议记录" in prompt.plain_text
        refused = await chat.send("/skip")
        assert refused.button_texts[-1] == "返回核对"
        summary = await chat.press(refused, "f:back")
        assert summary.plain_text.startswith("请核对【主题党日】记录："), summary.plain_text
        assert f"会议记录：{form.minutes[:60]}" in summary.plain_text
        assert await chat.data() == before and await chat.step() == "summary"


async def test_back_after_a_new_value_restores_the_old_one(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat, form = await at_summary(harness)
        before = await chat.data()
        prompt = await chat.press(form.prompt, "f:edit:attendance")
        absentees = await chat.send("应到9人，实到6人")  # goes on to the absentees: still inside the edit
        assert absentees.button_texts == ["返回核对"]
        summary = await chat.press(absentees, "f:back")
        assert "出勤：应到8人，实到7人" in summary.plain_text
        assert await chat.data() == before
        assert prompt.plain_text.startswith("【主题党日】应到、实到各多少人？")


async def test_edit_photos_keeps_them_and_adds(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat, form = await at_summary(harness)  # theme_day: at least 2 photos, the form sent 2
        prompt = await chat.press(form.prompt, "f:edit:photos")
        assert "已有 2 张照片。再发送的照片会加在后面" in prompt.plain_text, prompt.plain_text
        assert "清空已有照片（2张）" in prompt.button_texts and "返回核对" in prompt.button_texts
        _, reply = await chat.photo(png(77))
        assert reply.plain_text.startswith("已收到 3 张照片。"), reply.plain_text
        summary = await chat.press(reply, "f:done:photos")
        assert "照片：3张" in summary.plain_text
        await chat.press(summary, "f:confirm")
        assert len(await records(harness)) == 1


async def test_edit_photos_clear_replaces_them(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat, form = await at_summary(harness)
        prompt = await chat.press(form.prompt, "f:edit:photos")
        cleared = await chat.press_in_place(prompt, "f:clear")
        assert "请发送活动照片，至少2张" in cleared.plain_text, cleared.plain_text
        assert (await chat.data())["photos"] == []
        _, reply = await chat.photo(png(78))
        assert reply.plain_text == "已收到 1 张照片。至少还需要 1 张。"
        back = await chat.press(prompt, "f:back")  # changed their mind: the two photos come back
        assert "照片：2张" in back.plain_text
        assert len((await chat.data())["photos"]) == 2
