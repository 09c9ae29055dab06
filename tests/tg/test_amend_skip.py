"""/skip while a record's change waits: "无" at the absentees prompt, elsewhere the step is said to be needed
(never "现在没有可以跳过的内容", never the open form's step skipped)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, Form, amendments, make_secretary, records

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def open_amend(chat: Chat, record_id: int, field: str):
    view = await chat.send("/records")
    detail = await chat.press(view, f"r:open:{record_id}")
    return await chat.press(detail, f"r:amend:{record_id}:{field}")


async def test_skip_at_the_absentees_of_an_attendance_change_is_none(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("confirm")
        (record,) = await records(harness)
        ask = await open_amend(chat, record.id, "attendance")
        needed = await chat.send("/skip")
        assert needed.plain_text == "这一步不能跳过，请发送应到和实到人数；放弃修改请发送 /cancel。", (
            needed.plain_text
        )
        absent = await chat.send("8 5")
        assert absent.plain_text.startswith("新的出勤：应到8人，实到5人。有 3 人缺席。"), absent.plain_text
        reason = await chat.send("/skip")
        assert reason.plain_text.endswith("请简要说明修改原因（如“主题写错了”）："), reason.plain_text
        again = await chat.send("/skip")
        assert again.plain_text == "这一步不能跳过，请发送修改原因；放弃修改请发送 /cancel。", (
            again.plain_text
        )
        done = await chat.send("出勤人数写错了")
        assert done.plain_text.startswith("已修改"), done.plain_text
        (record,) = await records(harness)
        assert (record.expected, record.actual, record.absentees) == (8, 5, [])
        assert len(await amendments(harness, record.id)) == 1
        assert ask.plain_text.startswith("请发送应到和实到人数")


async def test_skip_in_a_text_change_keeps_the_open_form(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("confirm")
        (record,) = await records(harness)
        await Form(chat, "theme_day").run("attendance")  # a form open at the absentees step (/skip-able)
        await open_amend(chat, record.id, "place")
        needed = await chat.send("/skip")
        assert needed.plain_text == "这一步不能跳过，请发送新的地点；放弃修改请发送 /cancel。", (
            needed.plain_text
        )
        assert await chat.step() == "absentees"
        assert (await chat.send("二楼会议室")).plain_text.endswith("请简要说明修改原因（如“主题写错了”）：")


async def test_skip_while_amending_photos_is_said_to_be_needed(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("confirm")
        (record,) = await records(harness)
        view = await chat.send("/records")
        detail = await chat.press(view, f"r:open:{record.id}")
        await chat.press(detail, f"r:photos:{record.id}:add")
        needed = await chat.send("/skip")
        assert needed.plain_text.startswith("这一步不能跳过，请发送照片"), needed.plain_text
        assert needed.button_texts == ["完成"]
