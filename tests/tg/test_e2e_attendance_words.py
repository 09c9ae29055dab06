"""Attendance as secretaries type it, through the real bot: in the form, at its absentees step, and in a returned
record's 修改出勤 (helper-92's review: 实到7人，缺1人 was stored as 应到7, 实到1, and the count typed again at the
absentees step became an absent person named 应到8人)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, Form, make_secretary, records

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def _at_attendance(harness) -> Chat:
    chat = Chat(harness, harness.user(ALICE, "王书记"))
    await make_secretary(harness, chat.user)
    await Form(chat, "committee").run("place")
    return chat


async def test_an_actual_count_with_the_absent_gives_the_expected(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await _at_attendance(harness)
        reply = await chat.send("实到7人，缺1人")
        data = await chat.data()
        assert (data["expected"], data["actual"]) == (8, 7)
        assert "有 1 人缺席" in reply.plain_text, reply.plain_text


async def test_labels_in_either_order(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await _at_attendance(harness)
        reply = await chat.send("到会7人，应到8人")
        assert "不能多于" not in reply.plain_text, reply.plain_text
        assert ((await chat.data())["expected"], (await chat.data())["actual"]) == (8, 7)


async def test_the_count_typed_again_at_the_absentees_step_corrects_it(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await _at_attendance(harness)
        await chat.send("应到8人，实到7人")
        reply = await chat.send("应到8人，实到6人")
        data = await chat.data()
        assert (data["expected"], data["actual"], data["absentees"]) == (8, 6, [])
        assert reply.plain_text.startswith("已把出勤改为：应到8人，实到6人。"), reply.plain_text
        assert "有 2 人缺席" in reply.plain_text
        await chat.send("张三 出差\n李四 病假")
        assert [p["name"] for p in (await chat.data())["absentees"]] == ["张三", "李四"]


async def test_everyone_present_typed_again_moves_on(make_bot, clock):
    async with make_bot(clock=clock) as harness:
        chat = await _at_attendance(harness)
        await chat.send("应到8人，实到7人")
        reply = await chat.send("8 8")
        data = await chat.data()
        assert (data["expected"], data["actual"], data["absentees"]) == (8, 8, [])
        assert reply.plain_text.startswith("已把出勤改为：应到8人，实到8人。"), reply.plain_text
        assert "缺席" not in reply.plain_text.split("。", 1)[1][:20]


async def test_a_returned_records_attendance_corrected_twice(make_bot, clock):
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        rid = (await records(harness))[-1].id
        notice = await admin.reply()
        await admin.press(notice, f"rv:ret:{rid}")
        await admin.send("出勤人数不对")
        told = await alice.reply()
        await alice.press(told, f"r:amend:{rid}:attendance")
        first = await alice.send("实到7人，缺2人")
        assert first.plain_text.startswith("新的出勤：应到9人，实到7人。有 2 人缺席"), first.plain_text
        again = await alice.send("应到9人，实到8人")  # a slip noticed: sent again at the absentees prompt
        assert again.plain_text.startswith("新的出勤：应到9人，实到8人。有 1 人缺席"), again.plain_text
        await alice.send("李四 病假")
        done = await alice.send("人数写错了")
        assert done.plain_text.startswith("已修改，并已重新提交审核"), done.plain_text
        record = (await records(harness))[-1]
        assert (record.expected, record.actual) == (9, 8)
        assert [p["name"] for p in record.absentees] == ["李四"]


async def test_absentees_whose_reasons_hold_words_of_attendance_are_people(make_bot, clock):
    """helper-94's review: 张三 参加培训 (张三 read as 张3, 参加 as a count) changed the attendance to 4/3."""
    async with make_bot(clock=clock) as harness:
        chat = await _at_attendance(harness)
        await chat.send("应到8人，实到6人")
        await chat.send("张三 参加培训\n李四 参加3天培训")
        data = await chat.data()
        assert (data["expected"], data["actual"]) == (8, 6)
        assert [p["name"] for p in data["absentees"]] == ["张三", "李四"]
