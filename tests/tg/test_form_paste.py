"""A long paste that Telegram split into consecutive messages is refused whole, never kept in part."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import BOB, START, Chat, Form, make_secretary

PASTED_AT = START.timestamp()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def at_minutes(harness, user_id: int) -> tuple[Chat, Form]:
    chat = Chat(harness, harness.user(user_id, "李书记"))
    await make_secretary(harness, chat.user)
    form = Form(chat, "lecture")
    await form.run(until="fields")
    assert await chat.step() == "minutes"
    return chat, form


async def test_the_tail_of_a_split_paste_is_not_kept_as_the_minutes(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        harness.emulator._clock = lambda: PASTED_AT  # both parts sent in the same second
        chat, _ = await at_minutes(harness, BOB)
        first = await chat.send("甲" * 4096)
        assert first.plain_text.startswith("⚠️ 文字记录太长（4096字）"), first.plain_text
        second = await chat.send("乙" * 1904)
        assert second.plain_text.startswith("⚠️ 整段文字超过4000字，未保存，请精简或改为发送文件"), (
            second.plain_text
        )
        assert await chat.step() == "minutes"
        data = await chat.data()
        assert not data.get("minutes_text")
        assert data["topic"] == "学习贯彻党的二十大精神"  # nothing entered earlier is lost

        harness.emulator._clock = lambda: PASTED_AT + 60  # a minute later: the user's own, shorter text
        reply = await chat.send("会议由书记主持，传达学习了上级文件精神，党员逐一发言。")
        assert "请发送活动照片" in reply.plain_text, reply.plain_text
        assert (await chat.data())["minutes_text"].startswith("会议由书记主持")


async def test_a_three_part_paste_at_the_topic_step(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        harness.emulator._clock = lambda: PASTED_AT
        chat = Chat(harness, harness.user(BOB, "李书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "lecture")
        await form.run(until="date")
        await chat.send("题" * 4096)
        harness.emulator._clock = lambda: PASTED_AT + 2
        second = await chat.send("目" * 4096)
        assert "整段文字超过200字，未保存" in second.plain_text, second.plain_text
        harness.emulator._clock = lambda: PASTED_AT + 4
        third = await chat.send("尾巴")
        assert "整段文字超过200字，未保存" in third.plain_text, third.plain_text
        assert await chat.step() == "topic"
        assert "topic" not in await chat.data()


async def test_a_paste_cut_short_of_the_limit_is_not_kept_in_half(make_bot, clock: FixedClock) -> None:
    """An app may cut at a line break: the first part (3990) fits the minutes, the rest comes at the photos."""
    async with make_bot(clock=clock) as harness:
        harness.emulator._clock = lambda: PASTED_AT
        chat, _ = await at_minutes(harness, BOB)
        kept = await chat.send("甲" * 3990)
        assert "请发送活动照片" in kept.plain_text, kept.plain_text
        rest = await chat.send("乙" * 2010)
        assert rest.plain_text.startswith("⚠️ 整段文字超过4000字，未保存，请精简或改为发送文件"), (
            rest.plain_text
        )
        assert await chat.step() == "minutes"
        assert not (await chat.data()).get("minutes_text")

        harness.emulator._clock = lambda: PASTED_AT + 60
        reply = await chat.send("会议由书记主持，传达学习了上级文件精神，党员逐一发言。")
        assert "请发送活动照片" in reply.plain_text, reply.plain_text
        harness.emulator._clock = lambda: PASTED_AT + 61  # a short text just after: not a paste's rest
        assert "请发送活动照片" in (await chat.send("好的")).plain_text
        assert (await chat.data())["minutes_text"].startswith("会议由书记主持")
