"""The absentees step has a length limit like the other text steps: a huge paste is refused, not stored."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from handlers.services.form.model import MAX_ABSENTEES_TEXT
from tests.tg.forms_world import BOB, START, Chat, Form, make_secretary

PASTED_AT = START.timestamp()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def at_absentees(harness) -> tuple[Chat, Form]:
    chat = Chat(harness, harness.user(BOB, "李书记"))
    await make_secretary(harness, chat.user)
    form = Form(chat, "lecture")
    await form.run(until="attendance")
    assert await chat.step() == "absentees"
    return chat, form


async def test_an_overlong_list_of_absentees_is_refused_and_nothing_is_lost(
    make_bot, clock: FixedClock
) -> None:
    async with make_bot(clock=clock) as harness:
        chat, form = await at_absentees(harness)
        text = "张三 " + "因公出差" * 100  # 403 characters: a long answer still fits
        assert len(text) <= MAX_ABSENTEES_TEXT
        too_long = "\n".join(["张三 出差"] * 100)  # 599 characters
        reply = await chat.send(too_long)
        assert reply.plain_text.startswith(
            f"⚠️ 缺席人员太长了（{len(too_long)}字），请控制在{MAX_ABSENTEES_TEXT}字以内"
        ), reply.plain_text
        assert "/skip" in reply.plain_text and reply.button_texts == ["取消填写"]
        assert await chat.step() == "absentees"
        data = await chat.data()
        assert "absentees" not in data
        assert data["topic"] == form.topic and data["place"] == form.place and data["actual"] == 7
        reply = await chat.send(text)
        assert await chat.step() != "absentees", reply.plain_text
        assert len((await chat.data())["absentees"]) == 1


async def test_more_absentees_than_absent_are_refused_and_nothing_is_lost(
    make_bot, clock: FixedClock
) -> None:
    """应到8、实到7: one is absent; three names are refused with the counts, and "无" gives none (helper-67's
    review: three were stored beside 实到7, and "无" was stored as a person)."""
    async with make_bot(clock=clock) as harness:
        chat, form = await at_absentees(harness)
        reply = await chat.send("张三 出差\n李四 病假\n王五 事假")
        assert reply.plain_text.startswith("⚠️ 缺席的是 1 人（应到8人，实到7人），您写了 3 人。"), (
            reply.plain_text
        )
        assert "/skip" in reply.plain_text
        assert await chat.step() == "absentees"
        data = await chat.data()
        assert "absentees" not in data and data["topic"] == form.topic and data["actual"] == 7
        await chat.send("无")
        assert await chat.step() != "absentees"
        assert (await chat.data())["absentees"] == []


async def test_the_absent_named_are_kept(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat, _ = await at_absentees(harness)
        await chat.send("张三 出差")
        assert (await chat.data())["absentees"] == [{"name": "张三", "reason": "出差"}]


async def test_a_split_paste_at_the_absentees_step_is_refused_whole(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        harness.emulator._clock = lambda: PASTED_AT  # both parts sent in the same second
        chat, _ = await at_absentees(harness)
        first = await chat.send("张三 出差\n" * 682 + "张三")  # 4094 characters: the apps' first part
        assert first.plain_text.startswith("⚠️ 缺席人员太长了（4094字）"), first.plain_text
        rest = await chat.send("李四 病假")  # the tail of the same paste: would fit on its own
        assert rest.plain_text.startswith(
            f"⚠️ 整段文字超过{MAX_ABSENTEES_TEXT}字，未保存，请精简到{MAX_ABSENTEES_TEXT}字以内后重新发送"
        ), rest.plain_text
        assert await chat.step() == "absentees"
        assert "absentees" not in await chat.data()

        harness.emulator._clock = lambda: PASTED_AT + 60  # a minute later: the user's own answer
        await chat.send("李四 病假")
        assert await chat.step() != "absentees"
        assert (await chat.data())["absentees"] == [{"name": "李四", "reason": "病假"}]
